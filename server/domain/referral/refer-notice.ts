import type { Mail } from '../../jobs/mail.ts';
import { dutchDate } from './refer-letter.ts';

type Json = Record<string, unknown>;

/** What the patient is told: what was sent where, by whom, and where to see it; nothing clinical. */
export interface Notice {
  diagnostics: boolean;
  at: string;
  offering: Json;
  receiver: Json;
  referrerName: string;
  referrerOrganization: Json;
}

const what = (n: Notice) => (n.diagnostics ? 'een aanvraag voor diagnostiek' : 'een verwijzing');

/** The e-mail (Dutch: the patient's language here). */
export function noticeMail(to: string, n: Notice): Mail {
  const provider = (n.receiver.name as string | undefined) ?? 'de zorgaanbieder';
  const offering = (n.offering.name as string | undefined) ?? 'zorg';
  return {
    to,
    subject: `${n.diagnostics ? 'Uw aanvraag voor diagnostiek' : 'Uw verwijzing'} naar ${provider}`,
    text: [
      'Beste patiënt,',
      '',
      `${n.referrerName} (${(n.referrerOrganization.name as string | undefined) ?? ''}) heeft op ${dutchDate(n.at)} ${what(n)} voor u verstuurd:`,
      '',
      `  Zorgaanbod: ${offering}`,
      `  Zorgaanbieder: ${provider}`,
      '',
      `${provider} heeft de verwijsbrief ontvangen en neemt contact met u op, of u maakt zelf een afspraak.`,
      'U ziet de verwijzing ook in uw eigen omgeving van Zorgpoort (inloggen met DigiD).',
      '',
      'Dit bericht is automatisch verstuurd; u kunt er niet op antwoorden.',
    ].join('\n'),
  };
}

/** The text message: short, the same facts. */
export function noticeSms(n: Notice): string {
  const provider = (n.receiver.name as string | undefined) ?? 'de zorgaanbieder';
  return `Zorgpoort: ${n.referrerName} heeft ${what(n)} voor u verstuurd naar ${provider} (${(n.offering.name as string | undefined) ?? 'zorg'}). U ziet die in Zorgpoort (inloggen met DigiD).`;
}
