import { esc, page } from '../smart/pages.ts';
import type { CodeSent } from './login.ts';

/** The pages of a password login (plain, as the SMART login pages: no scripts, no assets). */

const alert = (error?: string) => (error ? `<p role="alert" class="error">${esc(error)}</p>` : '');

/** The second step: where the code went, a field for it, and the way back for a new code. */
export function codePage(p: { action: string; loginHref: string; sent?: CodeSent; error?: string }): string {
  const where = p.sent
    ? p.sent.channel === 'sms'
      ? `<p>We hebben een verificatiecode per sms gestuurd naar uw mobiele nummer eindigend op ${esc(p.sent.hint)}. / We sent a verification code by text message to your mobile number ending in ${esc(p.sent.hint)}.</p>`
      : `<p>We hebben een verificatiecode gemaild naar ${esc(p.sent.hint)}. / We e-mailed a verification code to ${esc(p.sent.hint)}.</p>`
    : '';
  return page(
    'Verificatiecode / Verification code',
    `${where}
${alert(p.error)}
<form method="post" action="${esc(p.action)}/password-code" class="password-code">
<label>Verificatiecode / Verification code <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,8}" required></label>
<button type="submit">Bevestigen / Confirm</button></form>
<p>Komt de code niet binnen? <a href="${esc(p.loginHref)}">Log opnieuw in</a> voor een nieuwe code; alleen de laatste werkt. / No code? <a href="${esc(p.loginHref)}">Log in again</a> for a new one; only the latest works.</p>`,
  );
}

export function forgotPage(p: { action: string; error?: string }): string {
  return page(
    'Nieuw wachtwoord aanvragen / Request a new password',
    `${alert(p.error)}
<p>Vul het e-mailadres van uw account in; u krijgt een e-mail met een link om een nieuw wachtwoord in te stellen. / Enter the e-mail address of your account; you will get an e-mail with a link to set a new password.</p>
<form method="post" action="${esc(p.action)}" class="password-forgot">
<label>E-mailadres / E-mail <input type="email" name="email" autocomplete="username" required></label>
<button type="submit">Versturen / Send</button></form>`,
  );
}

/** The same answer whether or not the address has an account. */
export function forgotSentPage(hours: string): string {
  return page(
    'Controleer uw e-mail / Check your e-mail',
    `<p>Als dit e-mailadres bij een account hoort, is er nu een e-mail onderweg met een link om een nieuw wachtwoord in te stellen. De link werkt ${esc(hours)} en één keer. / If this e-mail address belongs to an account, an e-mail is on its way with a link to set a new password. The link works for ${esc(hours)}, once.</p>`,
  );
}

export function resetPage(p: { action: string; token: string; error?: string }): string {
  return page(
    'Nieuw wachtwoord instellen / Set a new password',
    `${alert(p.error)}
<p>Minstens 12 tekens; een paar woorden achter elkaar is een goed wachtwoord. / At least 12 characters; a few words make a good password.</p>
<form method="post" action="${esc(p.action)}" class="password-reset">
<input type="hidden" name="token" value="${esc(p.token)}">
<label>Nieuw wachtwoord / New password <input type="password" name="password" autocomplete="new-password" required></label>
<label>Nogmaals / Again <input type="password" name="repeat" autocomplete="new-password" required></label>
<button type="submit">Opslaan / Save</button></form>`,
  );
}

export function resetDonePage(): string {
  return page(
    'Wachtwoord gewijzigd / Password changed',
    `<p>Uw wachtwoord is gewijzigd. Overal waar u was ingelogd, bent u nu uitgelogd. Log in via de app met uw nieuwe wachtwoord. / Your password is changed. Wherever you were logged in, you are logged out now. Log in through the app with your new password.</p>`,
  );
}

export function resetInvalidPage(forgotHref: string): string {
  return page(
    'Link ongeldig / Link not valid',
    `<p role="alert">Deze link is onbekend, verlopen of al gebruikt. / This link is unknown, expired or used.</p>
<p><a href="${esc(forgotHref)}">Vraag een nieuw wachtwoord aan / Request a new password</a></p>`,
  );
}
