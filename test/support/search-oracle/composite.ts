import { extract, matchEntries, type Dataset, type Stored } from './dataset.ts';
import type { ParamDef } from './definitions.ts';
import { splitUnescaped } from './values.ts';

/**
 * Composite parameters: the composite's expression picks the groups (one Observation.component,
 * or the Observation itself); each component's expression is evaluated within one group, and a
 * value `a$b` matches when one group satisfies every part.
 */

export interface CompositeGroup {
  /** Per component: its definition and its index entries within this group. */
  parts: { def: ParamDef; entries: unknown[] }[];
}

export function compositeGroups(ds: Dataset, s: Stored, def: ParamDef): CompositeGroup[] {
  const components = def.components.map((c) => ({
    def: ds.defs.byDefinition(c.definition),
    expression: c.expression,
  }));
  const groups: CompositeGroup[] = [];
  for (const part of ds.defs.partsFor(def, s.type)) {
    for (const group of ds.defs.evaluatePart(s.resource, s.resource, part)) {
      groups.push({
        parts: components.map((c) => ({
          def: c.def,
          entries: extract(c.def.type, ds.defs.evaluate(group.node, s.resource, c.expression), ds.base),
        })),
      });
    }
  }
  return groups.filter((g) => g.parts.every((p) => p.entries.length > 0));
}

export function matchComposite(ds: Dataset, def: ParamDef, groups: CompositeGroup[], raw: string): boolean {
  const values = splitUnescaped(raw, '$');
  if (values.length !== def.components.length)
    throw new Error(`oracle: ${def.code} needs ${def.components.length} parts`);
  return groups.some((g) => g.parts.every((p, i) => matchEntries(ds, p.def, p.entries, values[i]!, '')));
}
