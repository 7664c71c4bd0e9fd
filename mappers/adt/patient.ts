import type { Hl7 } from '../hl7/message.ts';
import { hl7Date, hl7DateTime } from '../hl7/datetime.ts';
import {
  address,
  compact,
  contactPoint,
  each,
  humanName,
  identifiers,
  practitionerRef,
} from '../hl7/types.ts';

type Json = Record<string, unknown>;

/** PID-8 (table 0001) → FHIR AdministrativeGender. */
const GENDER: Record<string, string> = {
  M: 'male',
  F: 'female',
  O: 'other',
  A: 'other',
  U: 'unknown',
  N: 'unknown',
};

/**
 * PID (+ PD1) → an nl-core Patient.
 *
 * | v2                       | FHIR                                                          |
 * | ------------------------ | ------------------------------------------------------------- |
 * | PID-3 (CX, repeating)    | identifier: BSN (NLMINBIZA / NNNLD), hospital number (PI), …  |
 * | PID-5 (XPN, repeating)   | name, Dutch prefixes and partner name as nl-core extensions    |
 * | PID-7                    | birthDate                                                     |
 * | PID-8                    | gender                                                        |
 * | PID-11 (XAD, repeating)  | address: street, house number, addition as ADXP extensions     |
 * | PID-13, PID-14 (XTN)     | telecom (home, work; e-mail)                                  |
 * | PID-29, PID-30           | deceasedDateTime / deceasedBoolean                            |
 * | PD1-4 (XCN)              | generalPractitioner (by AGB/UZI/BIG)                          |
 */
export function mapPatient(m: Hl7, facility: string): Json {
  const pid = m.required('PID');
  const where = (field: number) => ({ segment: 'PID', field });
  const died = m.value(pid, 29);
  const deceasedFlag = m.value(pid, 30);
  const pd1 = m.first('PD1');
  const gp = pd1 && practitionerRef(m, pd1, 4, facility);
  return compact({
    resourceType: 'Patient',
    meta: { profile: ['http://nictiz.nl/fhir/StructureDefinition/nl-core-Patient'] },
    identifier: identifiers(m, pid, 3, facility),
    name: each(m, pid, 5, humanName),
    telecom: [...each(m, pid, 13, contactPoint), ...each(m, pid, 14, contactPoint)],
    gender: GENDER[m.value(pid, 8).toUpperCase()],
    birthDate: hl7Date(m.value(pid, 7), where(7)),
    ...(died
      ? { deceasedDateTime: hl7DateTime(died, where(29)) }
      : deceasedFlag
        ? { deceasedBoolean: deceasedFlag === 'Y' }
        : {}),
    address: each(m, pid, 11, address),
    generalPractitioner: gp ? [gp] : undefined,
  });
}
