import { stableUuid, type TransactionBundle } from '../bundle.ts';
import { Hl7Error, type Hl7 } from '../hl7/message.ts';
import { BSN, identifiers } from '../hl7/types.ts';
import { mapPatient } from './patient.ts';

type Json = Record<string, unknown>;
type Identifier = { system?: string; value?: string };

const same = (a: Identifier, b: Identifier) => a.system === b.system && a.value === b.value;

/**
 * The identifiers a record is found by: its own numbers (the hospital number), not those the
 * other side shares, and the BSN only when there is nothing else — two records of one person may
 * both carry it, and then it tells neither apart.
 */
function lookupKeys(ids: Identifier[], other: Identifier[]): Identifier[] {
  const own = ids.filter((i) => i.system && i.value && !other.some((o) => same(o, i)));
  const numbers = own.filter((i) => i.system !== BSN);
  return numbers.length ? numbers : own;
}

/**
 * `ADT^A40` (merge patient — patient identifier list) → one `Patient/$merge` (server/domain/merge),
 * per the HL7 v2-to-FHIR IG's ADT_A39/A40 map: the record MRG-1 names is retired (`active`
 * false, `replaced-by`), the one PID names survives (`replaces`) and keeps every reference.
 *
 * | v2                    | FHIR (`$merge` parameters)                                        |
 * | --------------------- | ----------------------------------------------------------------- |
 * | MRG-1 (CX, repeating) | source-patient-identifier (the retired record's hospital number…) |
 * | PID-3 (CX, repeating) | target-patient-identifier (the surviving record)                  |
 * | PID, PD1              | result-patient: the survivor's demographics, as in an A08         |
 *
 * One merge per message: the v2.5 A40 may repeat the PID/MRG group, but a sender that merges
 * several records sends one A40 each, so a refusal names the one at fault.
 */
export function mapMerge(m: Hl7, facility: string, seed: string): TransactionBundle {
  const mrgs = m.all('MRG');
  if (mrgs.length === 0)
    throw new Hl7Error(
      'MRG',
      1,
      'MRG-1 (prior patient identifier list) is required in an A40: the record to merge',
    );
  if (mrgs.length > 1 || m.all('PID').length > 1)
    throw new Hl7Error('MRG', 1, 'one merge per A40: send one message for each record to merge');
  const result = mapPatient(m, facility);
  const survivor = (result.identifier ?? []) as Identifier[];
  if (survivor.length === 0)
    throw new Hl7Error('PID', 3, 'PID-3 holds no patient identifier (a BSN or the hospital number)');
  const prior = identifiers(m, mrgs[0]!, 1, facility) as Identifier[];
  if (prior.length === 0)
    throw new Hl7Error(
      'MRG',
      1,
      'MRG-1 (prior patient identifier list) holds no identifier: the record to merge',
    );
  const source = lookupKeys(prior, survivor);
  if (source.length === 0)
    throw new Hl7Error('MRG', 1, 'MRG-1 names the surviving patient of PID-3 itself: nothing to merge');
  const target = lookupKeys(survivor, prior);
  const parameters: Json = {
    resourceType: 'Parameters',
    parameter: [
      ...source.map((i) => ({ name: 'source-patient-identifier', valueIdentifier: i })),
      ...target.map((i) => ({ name: 'target-patient-identifier', valueIdentifier: i })),
      { name: 'result-patient', resource: result },
    ],
  };
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: `urn:uuid:${stableUuid(seed, 'Parameters', '$merge')}`,
        resource: parameters,
        request: { method: 'POST', url: 'Patient/$merge' },
      },
    ],
  };
}
