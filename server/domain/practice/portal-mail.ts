import type { Mail } from '../../jobs/mail.ts';

/**
 * The portal's notices to the patient, in Dutch and English. None holds medical content — no
 * medication, no question, no answer, not even whether a request was granted: an e-mail crosses
 * servers we do not control and lands in shared inboxes. It says that something waits, and where.
 */

function mail(
  to: string,
  subject: { nl: string; en: string },
  nl: string[],
  en: string[],
  portalUrl?: string,
): Mail {
  // Without the portal's address the last sentence ends where it would have named it.
  const end = (lines: string[]) =>
    portalUrl ? [...lines, portalUrl] : [...lines.slice(0, -1), lines.at(-1)!.replace(/:$/, '.')];
  return { to, subject: `${subject.nl} / ${subject.en}`, text: [...end(nl), '', ...end(en), ''].join('\n') };
}

/** A repeat prescription request was handled (approved or rejected: the portal says which). */
export function requestHandledMail(to: string, practice: string | undefined, portalUrl?: string): Mail {
  return mail(
    to,
    { nl: 'Uw aanvraag is behandeld', en: 'Your request was handled' },
    [
      'Beste patiënt,',
      '',
      `Uw aanvraag voor een herhaalrecept is behandeld door ${practice ?? 'uw huisartsenpraktijk'}.`,
      'Log in op het patiëntenportaal om de uitkomst te zien:',
    ],
    [
      'Dear patient,',
      '',
      `Your repeat prescription request was handled by ${practice ?? 'your GP practice'}.`,
      'Log in to the patient portal to see the outcome:',
    ],
    portalUrl,
  );
}

/** An eConsult question has its answer. */
export function answerWaitingMail(to: string, practice: string | undefined, portalUrl?: string): Mail {
  return mail(
    to,
    { nl: 'Er staat een antwoord voor u klaar', en: 'An answer is waiting for you' },
    [
      'Beste patiënt,',
      '',
      `Uw eConsult is beantwoord door ${practice ?? 'uw huisartsenpraktijk'}.`,
      'Log in op het patiëntenportaal om het antwoord te lezen:',
    ],
    [
      'Dear patient,',
      '',
      `Your eConsult was answered by ${practice ?? 'your GP practice'}.`,
      'Log in to the patient portal to read the answer:',
    ],
    portalUrl,
  );
}

/** A medication on the patient's list runs out soon (which one, the portal shows). */
export function runsOutMail(to: string, practice: string | undefined, portalUrl?: string): Mail {
  return mail(
    to,
    {
      nl: 'Herinnering: vraag tijdig uw herhaalrecept aan',
      en: 'Reminder: request your repeat prescription in time',
    },
    [
      'Beste patiënt,',
      '',
      'Volgens onze gegevens raakt een geneesmiddel op uw medicatielijst binnenkort op.',
      `Heeft u het nog nodig? Vraag dan tijdig een herhaalrecept aan bij ${practice ?? 'uw huisartsenpraktijk'} in het patiëntenportaal:`,
    ],
    [
      'Dear patient,',
      '',
      'According to our records, a medication on your list runs out soon.',
      `Do you still need it? Then request a repeat prescription from ${practice ?? 'your GP practice'} in the patient portal in time:`,
    ],
    portalUrl,
  );
}
