import type { Definitions, ParamDef } from './definitions.ts';
import type { QueryParams } from './query.ts';
import { splitPrefix, splitUnescaped } from './values.ts';

/**
 * What a query exercises, read back from the query itself (not from the generator's intent),
 * so the coverage claims of the oracle test are checked on what is actually sent.
 */

const SPECIAL = new Set(['_id', '_lastUpdated', '_tag', '_profile', '_security', '_source']);

/** The parameter a (possibly chained or _has) name ends in, and the tags met on the way. */
function resolve(
  defs: Definitions,
  type: string,
  name: string,
  tags: Set<string>,
): { def: ParamDef; modifier: string } {
  if (name.startsWith('_has:')) {
    tags.add('has');
    const [, source, , ...rest] = name.split(':');
    return resolve(defs, source!, rest.join(':'), tags);
  }
  const dot = name.indexOf('.');
  if (dot >= 0) {
    tags.add('chain');
    const [code, targetType] = name.slice(0, dot).split(':') as [string, string | undefined];
    const rest = name.slice(dot + 1);
    const next = rest.split(/[.:]/)[0]!;
    if (targetType) tags.add('mod:Type');
    const def = defs.get(type, code);
    const target = targetType ?? def?.target.find((t) => defs.get(t, next) !== undefined);
    if (!target) throw new Error(`coverage: cannot follow ${type}.${name}`);
    return resolve(defs, target, rest, tags);
  }
  const [code, modifier = ''] = name.split(':') as [string, string | undefined];
  const def = defs.get(type, code);
  if (!def) throw new Error(`coverage: no ${type}.${code}`);
  return { def, modifier };
}

export function tagsOf(defs: Definitions, type: string, params: QueryParams): Set<string> {
  const tags = new Set<string>();
  if (params.length > 1) tags.add('and');
  for (const [name, value] of params) {
    const { def, modifier } = resolve(defs, type, name, tags);
    tags.add(SPECIAL.has(def.code) ? `type:${def.code}` : `type:${def.type}`);
    if (modifier) tags.add(/^[A-Z]/.test(modifier) ? 'mod:Type' : `mod:${modifier}`);
    const values = splitUnescaped(value, ',');
    if (values.length > 1) tags.add('or');
    if (['date', 'number', 'quantity'].includes(def.type) && modifier !== 'missing') {
      for (const v of values) if (/^[a-z]{2}/.test(v)) tags.add(`prefix:${splitPrefix(v)[0]}`);
    }
  }
  return tags;
}

/** How many queries carry each tag. */
export function countTags(
  defs: Definitions,
  queries: { type: string; params: QueryParams }[],
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const q of queries)
    for (const t of tagsOf(defs, q.type, q.params)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}
