/**
 * A slice that no differential gives a `min` starts at 0, whatever the sliced element's minimum
 * (the HL7 snapshot generator does this; see hapifhir/org.hl7.fhir.core#317). fhir-snapshot-generator
 * 2.2.2 copies the sliced element's min instead, which would make e.g. both `Flag.code.coding`
 * slices of nl-core-Alert required. This corrects the generated snapshots.
 */
import type { ConformanceResource } from './package-cache.ts';

interface Element {
  id: string;
  min?: number;
  sliceName?: string;
}

const elementsOf = (sd: ConformanceResource | undefined, part: 'snapshot' | 'differential'): Element[] =>
  (sd?.[part] as { element?: Element[] } | undefined)?.element ?? [];

/**
 * @param sd the StructureDefinition with its generated snapshot
 * @param byUrl the source differentials (zib2020), to follow baseDefinition within them
 * @returns how many slices were corrected
 */
export function fixSliceMinimums(sd: ConformanceResource, byUrl: Map<string, ConformanceResource>): number {
  const chain: ConformanceResource[] = [];
  for (
    let cur = byUrl.get(sd.url!);
    cur && !chain.includes(cur);
    cur = byUrl.get(cur.baseDefinition as string)
  ) {
    chain.push(cur);
  }
  const declared = new Map<string, boolean>();
  for (const source of chain) {
    for (const e of elementsOf(source, 'differential')) {
      declared.set(e.id, (declared.get(e.id) ?? false) || e.min !== undefined);
    }
  }
  let fixed = 0;
  for (const e of elementsOf(sd, 'snapshot')) {
    const last = e.id.slice(e.id.lastIndexOf('.') + 1);
    if (!last.includes(':') || declared.get(e.id) !== false || !e.min) continue;
    e.min = 0;
    fixed++;
  }
  return fixed;
}
