import type { Hl7Segment } from '@medplum/core';
import type { Hl7 } from './message.ts';

type Json = Record<string, unknown>;

/** HL7 coding system names (table 0396) → FHIR system URIs. */
const SYSTEMS: Record<string, string> = {
  LN: 'http://loinc.org',
  SCT: 'http://snomed.info/sct',
  SNM: 'http://snomed.info/sct',
  UCUM: 'http://unitsofmeasure.org',
  'ISO+': 'http://unitsofmeasure.org',
  I10: 'http://hl7.org/fhir/sid/icd-10',
  ICPC: 'http://hl7.org/fhir/sid/icpc-1-nl',
};

/**
 * A CE/CWE (code ^ text ^ system ^ alternate code ^ alternate text ^ alternate system) as a
 * CodeableConcept: each coding with its system (a local one, `L` or `99zzz`, as the sender's
 * namespace), the text kept.
 */
export function codeableConcept(
  m: Hl7,
  s: Hl7Segment,
  field: number,
  facility: string,
  r = 1,
): Json | undefined {
  const coding = [0, 3].flatMap((offset) => {
    const code = m.value(s, field, 1 + offset, 1, r);
    if (!code) return [];
    const system = m.value(s, field, 3 + offset, 1, r);
    const display = m.value(s, field, 2 + offset, 1, r);
    return [
      {
        system:
          SYSTEMS[system.toUpperCase()] ??
          // HL7's own tables: HL70276 → v2-0276.
          (/^HL7\d{4}$/i.test(system)
            ? `http://terminology.hl7.org/CodeSystem/v2-${system.slice(3)}`
            : undefined) ??
          `https://zorgpoort.nl/fhir/CodeSystem/local/${encodeURIComponent(facility)}/${encodeURIComponent(system || 'L')}`,
        code,
        ...(display ? { display } : {}),
      },
    ];
  });
  const text = m.value(s, field, 2, 1, r) || m.value(s, field, 5, 1, r);
  if (!coding.length && !text) return undefined;
  return { ...(coding.length ? { coding } : {}), ...(text ? { text } : {}) };
}

export { SYSTEMS as CODING_SYSTEMS };
