import type { InvitedFunction } from '../../fhir/storage/function-invitations.ts';
import type { Mail } from '../../jobs/mail.ts';

/** The seed's names of the functions, for people (Dutch, English). */
export const FUNCTION_NAMES: Record<string, { nl: string; en: string }> = {
  gp: { nl: 'huisarts', en: 'general practitioner' },
  midwife: { nl: 'verloskundige', en: 'midwife' },
  specialist: { nl: 'specialist', en: 'specialist' },
  'admin-requests': { nl: 'beheer aanvragen', en: 'requests admin' },
  'admin-sampling-locations': { nl: 'beheer afnamelocaties', en: 'sampling locations admin' },
  'admin-documents': { nl: 'beheer documenten', en: 'documents admin' },
  'admin-reports': { nl: 'beheer rapportages', en: 'reports admin' },
  'admin-access-times': { nl: 'beheer toegangstijden', en: 'access times admin' },
  'admin-care-products': { nl: 'beheer zorgproducten', en: 'care products admin' },
  'admin-basic-care-products': { nl: 'beheer zorgproducten basis', en: 'basic care products admin' },
  'admin-resend': { nl: 'herzenden berichten', en: 'resend messages' },
  'admin-preview': { nl: 'preview zorgaanbod', en: 'care offering preview' },
  'admin-responsible': { nl: 'verantwoordelijk beheerder', en: 'responsible admin' },
};

const names = (fns: InvitedFunction[], lang: 'nl' | 'en') =>
  fns.map((f) => FUNCTION_NAMES[f.code]?.[lang] ?? f.code).join(', ');

/**
 * The invitation mail: who invites to what at which organisation, the link, and until when it
 * works. It names no patient and no other person's data.
 */
export function invitationMail(i: {
  email: string;
  organization: string;
  inviter: string;
  functions: InvitedFunction[];
  clusters: string[];
  link: string;
  expiresAt: Date;
}): Mail {
  const until = i.expiresAt.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const clusters = i.clusters.length ? i.clusters.join(', ') : undefined;
  return {
    to: i.email,
    subject: `Uitnodiging voor ${i.organization} in Zorgpoort / Invitation`,
    text: [
      `${i.inviter} nodigt u uit voor ${i.organization} in Zorgpoort, in de functie(s): ${names(i.functions, 'nl')}` +
        (clusters ? ` (clusters: ${clusters})` : '') +
        '.',
      `Maak uw account aan, of breid uw bestaande account uit, via deze link: ${i.link}`,
      `De link is 7 dagen geldig, tot ${until}. Verlopen? Vraag ${i.inviter} om de uitnodiging opnieuw te versturen.`,
      '',
      `${i.inviter} invites you to ${i.organization} in Zorgpoort, as: ${names(i.functions, 'en')}` +
        (clusters ? ` (clusters: ${clusters})` : '') +
        '.',
      `Create your account, or extend your existing one, through this link: ${i.link}`,
      `The link works for 7 days, until ${until}. Expired? Ask ${i.inviter} to send the invitation again.`,
    ].join('\n'),
  };
}

/** The responsible admin's notice that an invitation was accepted, with the link to the person. */
export function acceptedMail(i: {
  to: string;
  organization: string;
  person: string;
  personUrl: string;
  functions: InvitedFunction[];
  personsUrl: string;
}): Mail {
  return {
    to: i.to,
    subject: `Nieuw persoonsaccount bij ${i.organization}: verifieer de functies / New account: verify its functions`,
    text: [
      `${i.person} heeft de uitnodiging aangenomen (${names(i.functions, 'nl')}). Het account is actief; de functies zijn nog niet geverifieerd.`,
      `Persoon: ${i.personUrl}`,
      `Verifieer de functies als ze kloppen (PractitionerRole/[id]/$verify-function); overzicht: ${i.personsUrl}`,
      '',
      `${i.person} accepted the invitation (${names(i.functions, 'en')}). The account is active; its functions are not verified yet.`,
      `Person: ${i.personUrl}`,
      `Verify the functions if they are right (PractitionerRole/[id]/$verify-function); overview: ${i.personsUrl}`,
    ].join('\n'),
  };
}
