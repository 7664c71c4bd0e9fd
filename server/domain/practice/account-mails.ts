import type { PortalService } from '../../auth/principal.ts';
import type { Mail } from '../../jobs/mail.ts';

/**
 * The portal accounts' mails (seed 004). None holds medical content: an account, a link, a code.
 * Each in Dutch, then English.
 */

const until = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

/** "1.2 Bevestig uw account": the link, to click within the confirmation time. */
export function confirmMail(m: { to: string; practice: string; link: string; expiresAt: Date }): Mail {
  return {
    to: m.to,
    subject: `Bevestig uw account voor het patiëntenportaal van ${m.practice} / Confirm your account`,
    text: [
      `U heeft een account aangemaakt voor het patiëntenportaal van ${m.practice}. Bevestig dat u dit account wilt en dat dit e-mailadres van u is, via deze link:`,
      '',
      m.link,
      '',
      `U vult daar het wachtwoord in dat u bij de registratie koos. De link werkt tot ${until(m.expiresAt)}. Te laat? Registreer u dan opnieuw.`,
      'Heeft u zich niet geregistreerd? Dan kunt u deze e-mail negeren; er wordt geen account gemaakt.',
      '',
      `You created an account for the patient portal of ${m.practice}. Confirm that you want it and that this address is yours through the link above, with the password you chose. It works until ${until(m.expiresAt)}; too late? Register again.`,
      'Did you not register? Then ignore this e-mail: no account is made.',
    ].join('\n'),
  };
}

/** To the owner of an address that has an account, when someone registers with it again. */
export function attemptMail(m: { to: string; practice: string; forgotUrl: string }): Mail {
  return {
    to: m.to,
    subject: 'Poging tot registratie met uw e-mailadres / Registration attempt with your address',
    text: [
      `Iemand probeerde een account voor het patiëntenportaal van ${m.practice} te registreren met uw e-mailadres. Met dit adres bestaat al een account; er is geen tweede gemaakt (één patiënt per e-mailadres).`,
      `Was u dat zelf? Log dan in met uw bestaande account, of stel een nieuw wachtwoord in via ${m.forgotUrl}. Was u het niet? Dan hoeft u niets te doen.`,
      '',
      `Someone tried to register an account for the patient portal of ${m.practice} with your e-mail address. This address has an account already; no second one was made (one patient per address).`,
      `Was it you? Log in with your account, or set a new password at ${m.forgotUrl}. It was not? Then there is nothing to do.`,
    ].join('\n'),
  };
}

/** "Wanneer uw account succesvol is aangemaakt, krijgt uw huisarts hier een melding van." */
export function practiceNoticeMail(m: {
  to: string;
  practice: string;
  person: string;
  registration: 'email' | 'digid';
  listUrl: string;
}): Mail {
  const waiting = m.registration === 'email';
  return {
    to: m.to,
    subject: waiting
      ? 'Nieuwe registratie patiëntenportaal: wacht op koppeling / New portal registration waiting'
      : 'Nieuwe registratie patiëntenportaal via DigiD / New portal registration by DigiD',
    text: [
      waiting
        ? `Een patiënt heeft een account voor het patiëntenportaal van ${m.practice} aangemaakt en bevestigd (${m.person}). Het account is nog niet gekoppeld: de patiënt belt u; controleer BSN en e-mailadres en koppel het account met Person/[id]/$link-patient.`
        : `Een patiënt heeft zich via DigiD geregistreerd voor het patiëntenportaal van ${m.practice} (${m.person}); het account is direct gekoppeld aan het dossier.`,
      `De registraties van de praktijk: ${m.listUrl}`,
      '',
      waiting
        ? `A patient created and confirmed an account for the patient portal of ${m.practice} (${m.person}). It is not linked yet: the patient will call; check their BSN and e-mail address and link it with Person/[id]/$link-patient.`
        : `A patient registered for the patient portal of ${m.practice} with DigiD (${m.person}); the account is linked to their record at once.`,
      `The practice's registrations: ${m.listUrl}`,
    ].join('\n'),
  };
}

/** "U krijgt daarvan per e-mail bericht op uw opgegeven e-mailadres." */
export function linkedMail(m: { to: string; practice: string }): Mail {
  return {
    to: m.to,
    subject: 'Uw account is gekoppeld / Your account is linked',
    text: [
      `Uw account voor het patiëntenportaal van ${m.practice} is gekoppeld aan uw gegevens bij de praktijk. U kunt nu gebruikmaken van de online services; voor elke dienst vraagt u een sessiecode aan, die u per e-mail ontvangt.`,
      '',
      `Your account for the patient portal of ${m.practice} is linked to your record at the practice. You can use the online services now; for each one you request a session code, which comes by e-mail.`,
    ].join('\n'),
  };
}

const SERVICE_NAMES: Record<PortalService, { nl: string; en: string }> = {
  record: { nl: 'uw medische gegevens', en: 'your medical record' },
  prescriptions: { nl: 'receptservice', en: 'repeat prescriptions' },
  appointments: { nl: 'webagenda', en: 'appointments' },
  econsult: { nl: 'eConsult', en: 'eConsult' },
};

/** "3.1 Sessiecodes": the code, for one service, in the session that asked. */
export function sessionCodeMail(m: {
  to: string;
  code: string;
  service: PortalService;
  seconds: number;
}): Mail {
  const minutes = Math.max(1, Math.round(m.seconds / 60));
  const name = SERVICE_NAMES[m.service];
  return {
    to: m.to,
    subject: `Uw sessiecode: ${m.code} / Your session code`,
    text: [
      `Uw sessiecode voor ${name.nl} is ${m.code}. Hij is ${minutes} minuten geldig, één keer, en alleen in het venster waarin u hem aanvroeg. Vraagt u een nieuwe aan, dan vervalt deze. Deel deze code met niemand.`,
      '',
      `Your session code for ${name.en} is ${m.code}. It works for ${minutes} minutes, once, and only in the window where you asked for it. A new request voids it. Do not share it.`,
    ].join('\n'),
  };
}
