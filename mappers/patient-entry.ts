import { entry, identifierQuery } from './bundle.ts';
import { mapPatient } from './adt/patient.ts';
import { Hl7Error, type Hl7 } from './hl7/message.ts';
import { BSN } from './hl7/types.ts';

type Json = Record<string, unknown>;
type Identifier = { system?: string; value?: string };

/**
 * The patient of PID as the transaction's first entry, found by any identifier PID-3 gives (a
 * patient first registered by hospital number is the same one when the BSN arrives; two matches
 * are refused, never a second record). `update`: ADT, whose demographics the sender owns;
 * `ensure`: results, documents, appointments and orders, which create the patient when unknown
 * and never change them. `key` is the identifier the patient is known by (the BSN when there is one).
 */
export function patientEntry(
  m: Hl7,
  facility: string,
  seed: string,
  mode: 'update' | 'ensure',
): { entry: Json & { fullUrl: string }; key: Identifier & { value: string } } {
  const patient = mapPatient(m, facility);
  const ids = (patient.identifier ?? []) as Identifier[];
  const key = ids.find((i) => i.system === BSN) ?? ids[0];
  if (!key?.value)
    throw new Hl7Error('PID', 3, 'PID-3 holds no patient identifier (a BSN or the hospital number)');
  const keys = [key, ...ids.filter((i) => i !== key)];
  const found = entry(seed, 'Patient', patient, keys);
  if (mode === 'ensure')
    found.request = { method: 'POST', url: 'Patient', ifNoneExist: identifierQuery(keys) };
  return { entry: found, key: key as Identifier & { value: string } };
}
