import { ce, dtm, pid, xcn } from './fhir-types.ts';
import { msh, placerOrderNumber, type Envelope, type ReferralContent } from './envelope.ts';
import { OutboundMappingError } from './oru-r01.ts';
import { message, segment, type Field } from './writer.ts';

type Json = Record<string, unknown>;

/**
 * A request for an appointment as `SRM^S01` v2.4 (request new appointment), and its withdrawal
 * as `SRM^S04` (request cancellation), both from the referral's ServiceRequest and the proposed
 * Appointment (status `proposed`, `basedOn` the ServiceRequest) when there is one. The receiving
 * scheduler knows the request by ARQ-1, so a cancellation names the same id.
 *
 * | segment/field | from |
 * |---|---|
 * | ARQ-1 | the Appointment's identifier[0] (else its id), else the ServiceRequest's placer number |
 * | ARQ-6 | S04: the reason for cancelling |
 * | ARQ-7 | ServiceRequest.reasonCode[0] |
 * | ARQ-9, 10 | Appointment.minutesDuration, `min` |
 * | ARQ-11 | Appointment.requestedPeriod[0] (else start/end): start ^ end |
 * | ARQ-12 | ServiceRequest.priority |
 * | ARQ-15, 19 | the requester (AGB ^ family ^ given ^…^ VEKTIS) |
 * | ARQ-24 | ServiceRequest.identifier[0] (else its id) |
 * | PID | the Patient, as in ORU^R01 |
 * | RGS-1 | `1` |
 * | AIS-3, 4, 7, 8 | ServiceRequest.code, the requested start, duration, `min` |
 */
export function writeSrm(
  trigger: 'S01' | 'S04',
  e: Envelope,
  c: ReferralContent & { appointment?: Json; reason?: string },
): string {
  const appointmentId =
    ((c.appointment?.identifier ?? []) as { value?: string }[])[0]?.value ?? c.appointment?.id;
  const placerAppointment: Field = appointmentId
    ? [appointmentId as string, 'ZORGPOORT']
    : placerOrderNumber(c.serviceRequest);
  const period = ((c.appointment?.requestedPeriod ?? []) as { start?: string; end?: string }[])[0] ?? {
    start: c.appointment?.start as string | undefined,
    end: c.appointment?.end as string | undefined,
  };
  const minutes = c.appointment?.minutesDuration as number | undefined;
  const code = ce(c.serviceRequest.code as Json | undefined);
  if (!code) {
    throw new OutboundMappingError(
      `ServiceRequest/${c.serviceRequest.id as string} has no code: AIS-3 (the service requested) is required`,
    );
  }
  const arq: Field[] = [placerAppointment];
  if (trigger === 'S04' && c.reason) arq[5] = [undefined, c.reason];
  arq[6] = ce(((c.serviceRequest.reasonCode ?? []) as Json[])[0]);
  if (minutes !== undefined) {
    arq[8] = String(minutes);
    arq[9] = ['min', 'minutes', 'ANS+'];
  }
  arq[10] = [dtm(period.start), dtm(period.end)];
  arq[11] = (c.serviceRequest.priority as string | undefined)?.toUpperCase();
  arq[14] = xcn(c.requester);
  arq[18] = xcn(c.requester);
  arq[23] = placerOrderNumber(c.serviceRequest);
  const ais: Field[] = ['1', undefined, code, dtm(period.start)];
  if (minutes !== undefined) {
    ais[6] = String(minutes);
    ais[7] = ['min', 'minutes', 'ANS+'];
  }
  return message([
    msh(e, c, ['SRM', trigger, 'SRM_S01']),
    segment('ARQ', ...arq),
    pid(c.patient),
    segment('RGS', '1'),
    segment('AIS', ...ais),
  ]);
}
