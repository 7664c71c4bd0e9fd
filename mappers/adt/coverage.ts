import type { Hl7Segment } from '@medplum/core';
import type { Hl7 } from '../hl7/message.ts';
import { hl7Date } from '../hl7/datetime.ts';
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
export function mapCoverage(m: Hl7, in1: Hl7Segment, facility: string): Json | undefined {
  const policy = m.value(in1, 36);
  const insurer = m.value(in1, 3);
  if (!policy && !insurer) return undefined;
  const where = (field: number) => ({ segment: 'IN1', field });
  const start = hl7Date(m.value(in1, 12), where(12));
  const end = hl7Date(m.value(in1, 13), where(13));
  const insurerAuthority = m.value(in1, 3, 4) || 'UZOVI';
  return compact({
    resourceType: 'Coverage',
    identifier: policy
      ? [{ system: localSystem('policy-number', insurer || facility), value: policy }]
      : undefined,
    status: end && Date.parse(end) < Date.now() ? 'cancelled' : 'active',
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
