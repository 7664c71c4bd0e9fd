import { say, type Language } from '../domain/language.ts';
import { esc, page } from './smart/pages.ts';

/** The portal's registration pages (plain, as the login pages: no scripts, no assets). */

const t = (language: Language, en: string, nl: string) => esc(say(language, { en, nl }));
const alert = (error?: string) => (error ? `<p role="alert" class="error">${esc(error)}</p>` : '');
const field = (name: string, label: string, type: string, extra = '') =>
  `<p><label>${label}<br><input name="${name}" type="${type}"${extra}></label></p>`;

/** "Account aanmaken": e-mail, password twice, name (optional), for one practice. */
export function registerPage(p: {
  language: Language;
  action: string;
  practice?: { id: string; name: string };
  error?: string;
}): string {
  const l = p.language;
  return page(
    say(l, { en: 'Create an account', nl: 'Account aanmaken' }),
    `${alert(p.error)}
<p>${
      p.practice
        ? `${t(l, 'For the patient portal of', 'Voor het patiëntenportaal van')} <strong>${esc(p.practice.name)}</strong>.`
        : t(
            l,
            'Use the registration link on your practice’s website.',
            'Gebruik de registratielink op de website van uw praktijk.',
          )
    } ${t(
      l,
      'One patient per e-mail address: family members each need their own address.',
      'Eén patiënt per e-mailadres: familieleden hebben elk een eigen e-mailadres nodig.',
    )}</p>
<form method="post" action="${esc(p.action)}" class="portal-register">
${p.practice ? `<input type="hidden" name="practice" value="${esc(p.practice.id)}">` : field('practice', t(l, 'Practice', 'Praktijk'), 'text', ' required')}
${field('email', t(l, 'E-mail address', 'E-mailadres'), 'email', ' autocomplete="username" required')}
${field('name', t(l, 'Your name (optional)', 'Uw naam (optioneel)'), 'text', ' autocomplete="name"')}
${field('password', t(l, 'Password (at least 12 characters; a few words make a good one)', 'Wachtwoord (minstens 12 tekens; een paar woorden is een goed wachtwoord)'), 'password', ' autocomplete="new-password" required')}
${field('repeat', t(l, 'Password again', 'Wachtwoord nogmaals'), 'password', ' autocomplete="new-password" required')}
<p><button type="submit">${t(l, 'Create account', 'Account aanmaken')}</button></p></form>
<p>${t(l, 'Do you have DigiD? Log in with DigiD in the portal app instead: your account is linked to your record at once.', 'Heeft u DigiD? Log dan in de portaal-app in met DigiD: uw account wordt direct gekoppeld aan uw dossier.')}</p>`,
  );
}

/** The same answer whether or not the address has an account. */
export function registeredPage(language: Language, hours: string): string {
  return page(
    say(language, { en: 'Check your e-mail', nl: 'Controleer uw e-mail' }),
    `<p>${t(
      language,
      `If this address can be registered, an e-mail is on its way with a link to confirm your account. Click it within ${hours}. No e-mail? Look in your junk mail folder, or register again with the right address.`,
      `Als dit adres geregistreerd kan worden, is er een e-mail onderweg met een link om uw account te bevestigen. Klik daarop binnen ${hours}. Geen e-mail? Kijk in de map Ongewenste e-mail, of registreer u opnieuw met het juiste adres.`,
    )}</p>`,
  );
}

/** "1.2 Bevestig uw account": the password chosen at registration confirms it. */
export function confirmPage(p: {
  language: Language;
  action: string;
  email: string;
  practice: string;
  error?: string;
}) {
  const l = p.language;
  return page(
    say(l, { en: 'Confirm your account', nl: 'Bevestig uw account' }),
    `${alert(p.error)}
<p>${t(l, 'Account', 'Account')} <strong>${esc(p.email)}</strong> ${t(l, 'for the patient portal of', 'voor het patiëntenportaal van')} <strong>${esc(p.practice)}</strong>.</p>
<form method="post" action="${esc(p.action)}" class="portal-confirm">
${field('password', t(l, 'The password you chose', 'Het wachtwoord dat u koos'), 'password', ' autocomplete="current-password" required')}
<p><button type="submit">${t(l, 'Confirm', 'Bevestigen')}</button></p></form>`,
  );
}

/** "1.3 Gefeliciteerd, u heeft uw account aangemaakt". */
export function confirmedPage(language: Language): string {
  return page(
    say(language, { en: 'Your account is created', nl: 'Gefeliciteerd, u heeft uw account aangemaakt' }),
    `<p>${t(
      language,
      'Log in to the patient portal with your e-mail address and password from now on. Note: your account is not linked to your medical record yet. Call the practice: the assistant checks your BSN and e-mail address and links it; you get an e-mail when that is done.',
      'U logt voortaan in het patiëntenportaal in met uw e-mailadres en wachtwoord. Let op: uw account is nog niet gekoppeld met uw medische gegevens. Bel de praktijk: de assistente controleert uw BSN en e-mailadres en koppelt uw account; u krijgt daarvan per e-mail bericht.',
    )}</p>`,
  );
}

/** A refusal (an expired link says how to start again). */
export function refusedPage(language: Language, message: string): string {
  return page(
    say(language, { en: 'Registration', nl: 'Registratie' }),
    `<p role="alert">${esc(message)}</p>`,
  );
}
