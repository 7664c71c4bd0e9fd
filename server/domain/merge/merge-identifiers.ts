import { FhirError } from '../../fhir/errors.ts';

export const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';

export type Identifier = { system?: string; value?: string; use?: string; [key: string]: unknown };

const same = (a: Identifier, b: Identifier) => a.system === b.system && a.value === b.value;

/**
 * The survivor's identifiers after a merge: its own (as the result gives them), the `old` ones
 * earlier merges gave it, and every identifier of the retired record it lacks — as `old`, ended
 * now (`period.end`: a later update that leaves them out keeps them), so a
 * message that still carries the retired hospital number finds the survivor (the retired record
 * keeps none: two records found by one number would be a conflict). A BSN is the person's, not
 * a record's: it moves as it is; two different BSNs are two people, and refused.
 */
export function mergedIdentifiers(
  result: Identifier[],
  targetBefore: Identifier[],
  source: Identifier[],
  /** When the merge retires the source's numbers: their `period.end`, which keeps them (see retired-identifiers.ts). */
  retiredAt: string = new Date().toISOString(),
): Identifier[] {
  const out = [...result];
  const add = (id: Identifier) => {
    if (id.value && !out.some((o) => same(o, id))) out.push(id);
  };
  for (const id of targetBefore) if (id.use === 'old') add(id);
  const bsn = out.find((i) => i.system === BSN_SYSTEM && i.use !== 'old')?.value;
  for (const id of source) {
    if (id.system === BSN_SYSTEM) {
      if (bsn && id.value && id.value !== bsn && id.use !== 'old') {
        throw new FhirError(
          422,
          `$merge: the two records have different BSNs (${id.value} and ${bsn}): they are two people, not one; correct the BSN first`,
          { code: 'business-rule' },
        );
      }
      add(id);
    } else {
      const period = (id.period ?? {}) as { start?: string; end?: string };
      add({ ...id, use: 'old', period: { ...period, end: period.end ?? retiredAt } });
    }
  }
  return out;
}
