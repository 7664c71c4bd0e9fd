import type { Mail } from '../../jobs/mail.ts';
import type { Json } from './directory.ts';

/** The e-mail address a resource lists (`telecom` with system `email`). */
export const emailOf = (r: Json | undefined): string | undefined =>
  ((r?.telecom ?? []) as { system?: string; value?: string }[]).find((t) => t.system === 'email')?.value;

/** Characters (X)HTML cannot hold: C0 controls but tab, LF and CR; U+FFFE, U+FFFF. */
// eslint-disable-next-line no-control-regex
const NON_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Text for HTML and XHTML (letters, a document's narrative): escaped, unrepresentable characters dropped. */
export const escapeHtml = (s: string) =>
  s
    .replace(NON_XML, '')
    .replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
    );

/**
 * The invitation of a caregiver to a plan. It names the collective and who invited, not the
 * patient or the plan's title (which can tell a diagnosis): mail is not the place for either.
 */
export function invitationMail(
  to: string,
  collective: string,
  invitedBy: string,
  planId: string,
  base: string,
): Mail {
  const plan = `${base}/CarePlan/${planId}`;
  const mine = `${base}/CarePlan/$my-invitations`;
  return {
    to,
    subject: 'Uitnodiging voor een behandelplan / Invitation to a care plan',
    text:
      `${invitedBy} (${collective}) nodigt u uit om deel te nemen aan een behandelplan.\n` +
      `Log in en accepteer of wijs de uitnodiging af in de app, waar ook uw openstaande uitnodigingen staan ` +
      `(GET ${mine}); of met POST ${plan}/$accept-invitation of ${plan}/$decline-invitation.\n\n` +
      `${invitedBy} (${collective}) invites you to take part in a care plan.\n` +
      `Log in and accept or decline the invitation in the app, which also lists your open invitations ` +
      `(GET ${mine}); or with POST ${plan}/$accept-invitation or ${plan}/$decline-invitation.\n`,
  };
}

/**
 * The instruction letter for the patient (instructiebrief): how to activate the plan in their
 * PGD, with the code. Given on paper at the start, or sent again as a reminder.
 */
export function instructionLetter(p: {
  patientName: string;
  /** Left out of mail: a plan's title can tell a diagnosis. */
  title?: string;
  collective: string;
  code: string;
  base: string;
  /** The casemanager's own words and the actions asked of the patient (persoonlijke notities, gevraagde acties). */
  note?: string;
  actions?: string[];
}) {
  const personal = [
    ...(p.note ? ['', 'Persoonlijke notitie / Personal note:', ...p.note.split(/\r?\n/)] : []),
    ...(p.actions?.length
      ? ['', 'Gevraagde acties / Actions asked of you:', ...p.actions.map((a) => `- ${a}`)]
      : []),
  ];
  const plan = p.title ? `het behandelplan "${p.title}"` : 'een behandelplan';
  const planEn = p.title ? `the care plan "${p.title}"` : 'a care plan';
  const lines = [
    `Beste ${p.patientName},`,
    '',
    `Uw zorgverlener van ${p.collective} heeft voor u ${plan} klaargezet.`,
    'Log in op uw persoonlijke gezondheidsdossier (PGD) en voer deze activatiecode in:',
    '',
    `    ${p.code}`,
    '',
    'Daarna ziet u uw behandelplan en kunnen uw zorgverleners uw PGD inzien. U ziet altijd wie',
    'uw gegevens heeft bekeken. De code werkt één keer; is hij kwijt, vraag dan een nieuwe.',
    ...personal,
    '',
    `Dear ${p.patientName},`,
    '',
    `Your caregiver at ${p.collective} has prepared ${planEn} for you. Log in to`,
    `your personal health record (PGD) and enter the activation code above. App developers: POST`,
    `${p.base}/CarePlan/$activate with the parameter "code".`,
  ];
  const text = lines.join('\n');
  const html =
    '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Instructiebrief behandelplan</title></head><body>' +
    lines
      .map((l) =>
        l.trim() === p.code
          ? `<p><strong style="font-size:1.5em">${escapeHtml(p.code)}</strong></p>`
          : `<p>${escapeHtml(l)}</p>`,
      )
      .join('') +
    '</body></html>';
  return { text, html };
}

export function reminderMail(to: string, letter: { text: string; html: string }): Mail {
  return {
    to,
    subject: 'Herinnering: activeer uw behandelplan / Reminder: activate your care plan',
    text: letter.text,
    html: letter.html,
  };
}
