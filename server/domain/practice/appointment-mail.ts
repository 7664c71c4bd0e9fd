import type { Mail } from '../../jobs/mail.ts';
import type { AgendaContext } from './agenda.ts';

const when = (iso: string, locale: string) =>
  new Intl.DateTimeFormat(locale, {
    dateStyle: 'full',
    timeStyle: 'short',
    timeZone: 'Europe/Amsterdam',
  }).format(new Date(iso));

/**
 * The patient's confirmation of a booking or a cancellation: when, with whom, where — never why
 * (the reason the patient gave is medical and stays in the Appointment, read with their login).
 */
export function appointmentMail(
  to: string,
  kind: 'booked' | 'cancelled',
  start: string,
  agenda: AgendaContext,
  appointmentId: string,
): Mail {
  const withWhom = agenda.practitionerName;
  const nl =
    kind === 'booked'
      ? `Uw afspraak is gemaakt: ${when(start, 'nl-NL')}${withWhom ? ` bij ${withWhom}` : ''}, ${agenda.practiceName}.`
      : `Uw afspraak van ${when(start, 'nl-NL')}${withWhom ? ` bij ${withWhom}` : ''}, ${agenda.practiceName}, is geannuleerd.`;
  const en =
    kind === 'booked'
      ? `Your appointment is booked: ${when(start, 'en-GB')}${withWhom ? ` with ${withWhom}` : ''}, ${agenda.practiceName}.`
      : `Your appointment of ${when(start, 'en-GB')}${withWhom ? ` with ${withWhom}` : ''}, ${agenda.practiceName}, is cancelled.`;
  return {
    to,
    subject:
      kind === 'booked'
        ? `Afspraak bevestigd / Appointment confirmed — ${agenda.practiceName}`
        : `Afspraak geannuleerd / Appointment cancelled — ${agenda.practiceName}`,
    text: [
      nl,
      kind === 'booked'
        ? 'Kunt u niet komen? Annuleer de afspraak in het patiëntenportaal of bel de praktijk.'
        : 'Een nieuwe afspraak maakt u in het patiëntenportaal.',
      `(Appointment/${appointmentId})`,
      '',
      en,
      kind === 'booked'
        ? 'Cannot come? Cancel the appointment in the patient portal or call the practice.'
        : 'Book a new appointment in the patient portal.',
    ].join('\n'),
  };
}
