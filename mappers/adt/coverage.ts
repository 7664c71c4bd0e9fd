import type { Hl7Segment } from '@medplum/core';
import type { Hl7 } from '../hl7/message.ts';
import { hl7Date } from '../hl7/datetime.ts';
import { Hl7Error } from '../hl7/message.ts';
import { compact, identifier, localSystem } from '../hl7/types.ts';

type Json = Record<string, unknown>;

/**
 * IN1 → Coverage (the Dutch basic health insurance: insurer by UZOVI number, policy number).
 *
 * | v2       | FHIR                                                    |
 * | -------- | ------------------------------------------------------- |
 * | IN1-3    | payor: the insurer, by UZOVI number (IN1-4 its name)    |
 * | IN1-36   | identifier and subscriberId: the policy number          |
 * | IN1-12   | period.start                                            |
 * | IN1-13   | period.end                                              |
 */
export function mapCoverage(m: Hl7, in1: Hl7Segment, facility: string, patientKey: string): Json | undefined {
  const policy = m.value(in1, 36);
  const insurer = m.value(in1, 3);
  if (!policy && !insurer) return undefined;
  if (!insurer && !m.value(in1, 4))
    throw new Hl7Error('IN1', 3, 'IN1-3 (the insurer) is required with a policy');
  const where = (field: number) => ({ segment: 'IN1', field });
  const start = hl7Date(m.value(in1, 12), where(12));
  const end = hl7Date(m.value(in1, 13), where(13));
  const insurerAuthority = m.value(in1, 3, 4) || 'UZOVI';
  return compact({
    resourceType: 'Coverage',
    // Known by the policy number; without one, by the insurer and the patient, so the same
    // insurance sent again is one Coverage.
    identifier: [
      policy
        ? { system: localSystem('policy-number', insurer || facility), value: policy }
        : { system: localSystem('coverage', facility), value: `${insurer || m.value(in1, 4)}-${patientKey}` },
    ],
    // `active`: the period says until when (a status computed from today would make the mapping
    // depend on the day it runs).
    status: 'active',
    subscriberId: policy,
    period: start || end ? compact({ start, end }) : undefined,
    payor: [
      compact({
        identifier: identifier(insurer, insurerAuthority, '', localSystem('insurer', facility)),
        display: m.value(in1, 4) || undefined,
      }),
    ],
  });
}
