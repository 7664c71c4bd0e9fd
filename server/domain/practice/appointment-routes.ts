import type { Route } from '../../fhir/rest/routes.ts';
import { bookAppointment } from './book-appointment.ts';
import { cancelAppointment } from './cancel-appointment.ts';
import type { PracticeDeps } from './deps.ts';

/** The webagenda (seed 004): book a free Slot, cancel a booking. Reading is plain FHIR search. */
export function appointmentRoutes(deps: PracticeDeps): Route[] {
  const book = bookAppointment(deps);
  const cancel = cancelAppointment(deps);
  return [
    {
      method: 'POST',
      pattern: ['type', 'id', '$book'],
      types: ['Slot'],
      interaction: '$book',
      level: 'instance',
      definition: 'https://zorgpoort.nl/fhir/OperationDefinition/Slot-book',
      handle: (ctx, req, m) => book(ctx, m.id, req),
    },
    {
      method: 'POST',
      pattern: ['type', 'id', '$cancel'],
      types: ['Appointment'],
      interaction: '$cancel',
      level: 'instance',
      definition: 'https://zorgpoort.nl/fhir/OperationDefinition/Appointment-cancel',
      handle: (ctx, req, m) => cancel(ctx, m.id, req),
    },
  ];
}
