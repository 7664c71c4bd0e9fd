import { entry, type MapContext, type TransactionBundle } from '../bundle.ts';
import { patientEntry as patientEntryOf } from '../patient-entry.ts';
import { codeableConcept } from '../hl7/coded.ts';
import { hl7DateTime } from '../hl7/datetime.ts';
import { Hl7Error, UnsupportedMessageError, type Hl7 } from '../hl7/message.ts';
import { compact, identifier, localSystem, practitionerRef } from '../hl7/types.ts';

type Identifier = { system?: string; value?: string };

/** ORC-1 (table 0119, order control) → ServiceRequest.status. */
const ORDER_CONTROL: Record<string, string> = {
  NW: 'active',
  XO: 'active',
  SC: 'active',
  HD: 'on-hold',
  RL: 'active',
  CA: 'revoked',
  OC: 'revoked',
  DC: 'revoked',
  CM: 'completed',
};

/** OBR-27.6 / TQ1-9 priority (table 0027) → ServiceRequest.priority. */
const PRIORITY: Record<string, string> = { S: 'stat', A: 'asap', R: 'routine', P: 'urgent', C: 'urgent' };

/**
 * `ORM^O01` and `OML^O21` → a ServiceRequest per order (ORC + OBR), for the patient of PID, known
 * by the placer order number (ORC-2, else OBR-2): a change (XO), hold (HD) or cancel (CA)
 * updates the same request.
 *
 * | v2            | FHIR                                                             |
 * | ------------- | ---------------------------------------------------------------- |
 * | ORC-2 / OBR-2 | identifier (the placer's order number)                           |
 * | ORC-1         | status (NW new, XO change: active; HD on-hold; CA/OC/DC revoked; CM completed) |
 * | OBR-4         | code (what is ordered)                                           |
 * | ORC-9         | authoredOn                                                       |
 * | ORC-12, OBR-16 | requester (by AGB/UZI/BIG)                                      |
 * | OBR-27.6, TQ1-9 | priority                                                       |
 * | OBR-13        | note (relevant clinical information)                             |
 */
export function mapOrder(m: Hl7, _context: MapContext): TransactionBundle {
  const type = m.value('MSH', 9, 1);
  const trigger = m.value('MSH', 9, 2);
  if ((type === 'ORM' && trigger !== 'O01') || (type === 'OML' && trigger !== 'O21')) {
    throw new UnsupportedMessageError(
      'MSH',
      9,
      `${type}^${trigger} is not mapped (supported: ORM^O01, OML^O21)`,
      '201',
    );
  }
  const facility = m.sender.facility || m.sender.application;
  const seed = `${facility}|${m.controlId}`;
  const { entry: patientEntry } = patientEntryOf(m, facility, seed, 'ensure');

  const entries = [patientEntry];
  const orcs = m.all('ORC');
  if (!orcs.length) throw new Hl7Error('ORC', 0, 'an order message holds at least one ORC');
  for (const orc of orcs) {
    // The OBR of this order: the first after its ORC.
    const index = m.segments.indexOf(orc);
    const obr = m.segments.slice(index + 1).find((s) => s.name === 'OBR' || s.name === 'ORC');
    if (!obr || obr.name !== 'OBR')
      throw new Hl7Error('OBR', 0, 'each ORC is followed by the OBR of what is ordered');
    const number = m.value(orc, 2) || m.value(obr, 2);
    if (!number) throw new Hl7Error('ORC', 2, 'ORC-2 or OBR-2 (the placer order number) is required');
    const authority = m.value(orc, 2, 2) || m.value(obr, 2, 2);
    const id = identifier(
      number,
      authority,
      'PLAC',
      localSystem('order-number', authority || facility),
    ) as Identifier;
    const code = codeableConcept(m, obr, 4, facility);
    if (!code) throw new Hl7Error('OBR', 4, 'OBR-4 (what is ordered) is required');
    const control = m.value(orc, 1).toUpperCase();
    const status = ORDER_CONTROL[control];
    if (!status)
      throw new Hl7Error(
        'ORC',
        1,
        `order control '${control || '(none)'}' is not mapped (NW, XO, SC, HD, RL, CA, OC, DC, CM)`,
      );
    const requester = practitionerRef(m, orc, 12, facility) ?? practitionerRef(m, obr, 16, facility);
    const tq1 = m.first('TQ1');
    const priority = PRIORITY[(tq1 ? m.value(tq1, 9) : m.value(obr, 27, 6)).toUpperCase()];
    const authored = hl7DateTime(m.value(orc, 9), { segment: 'ORC', field: 9 });
    const request = compact({
      resourceType: 'ServiceRequest',
      identifier: [id],
      status,
      intent: 'order',
      priority,
      code,
      subject: { reference: patientEntry.fullUrl },
      authoredOn: authored,
      requester,
      note: m.value(obr, 13) ? [{ text: m.value(obr, 13) }] : undefined,
    });
    entries.push(entry(seed, 'ServiceRequest', request, id));
  }
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}
