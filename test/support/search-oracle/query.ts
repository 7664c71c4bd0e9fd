import type { Dataset, Stored } from './dataset.ts';
import type { ReferenceEntry } from './reference.ts';
import { splitUnescaped } from './values.ts';

/**
 * The expected answer of a whole search: parameters AND, comma-separated values OR, plus
 * `:missing`, `:not`, chains and `_has` as server/fhir/search/README.md describes them.
 */

export type QueryParams = [name: string, value: string][];

/** Sorted `Type/id` of every stored resource of `resourceType` that matches all `params`. */
export function expectedIds(ds: Dataset, resourceType: string, params: QueryParams): string[] {
  return ds
    .ofType(resourceType)
    .filter((s) => params.every(([name, value]) => matchesParam(ds, s, name, value)))
    .map((s) => `${s.type}/${s.id}`)
    .sort();
}

/** The `Type/id` targets that `s` references through parameter `code`. */
function localTargets(ds: Dataset, s: Stored, code: string): { type: string; id: string }[] {
  const def = ds.defs.get(s.type, code);
  if (!def || def.type !== 'reference')
    throw new Error(`oracle: ${s.type}.${code} is not a reference parameter`);
  return (ds.entries(s, def) as ReferenceEntry[]).filter(
    (e): e is Extract<ReferenceEntry, { kind: 'local' }> => e.kind === 'local',
  );
}

export function matchesParam(ds: Dataset, s: Stored, name: string, value: string): boolean {
  if (name.startsWith('_has:')) {
    // _has:Type:param:rest — rest is a parameter of Type (possibly another _has or a chain).
    const [, sourceType, refParam, ...rest] = name.split(':');
    const inner = rest.join(':');
    if (!sourceType || !refParam || !inner) throw new Error(`oracle: bad ${name}`);
    return ds
      .ofType(sourceType)
      .some(
        (o) =>
          localTargets(ds, o, refParam).some((t) => t.type === s.type && t.id === s.id) &&
          matchesParam(ds, o, inner, value),
      );
  }
  const dot = name.indexOf('.');
  if (dot >= 0) {
    const [code, targetType] = name.slice(0, dot).split(':') as [string, string | undefined];
    const rest = name.slice(dot + 1);
    const restCode = rest.split(/[.:]/)[0]!;
    return localTargets(ds, s, code).some((t) => {
      if (targetType !== undefined && t.type !== targetType) return false;
      const target = ds.get(t.type, t.id);
      return (
        target !== undefined &&
        ds.defs.get(t.type, restCode) !== undefined &&
        matchesParam(ds, target, rest, value)
      );
    });
  }
  const [code, modifier = ''] = name.split(':') as [string, string | undefined];
  const def = ds.defs.get(s.type, code);
  if (!def) throw new Error(`oracle: no parameter ${s.type}.${code}`);
  if (modifier === 'missing') {
    const missing = ds.entries(s, def).length === 0;
    return value === 'true' ? missing : !missing;
  }
  const any = splitUnescaped(value, ',').some((v) => ds.matches(s, def, v, modifier));
  return modifier === 'not' ? !any : any;
}
