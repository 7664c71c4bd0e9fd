/**
 * Which slice a value belongs to, by the slicing's discriminators (value, pattern, type, profile,
 * exists). Each slice answers yes, no, or unknown: unknown when the slice defines no value at the
 * discriminator path that we can compare with, or when the answer needs a resolved reference.
 */
import { valueInValueSet } from './bindings.ts';
import { parseDiscriminatorPath, type Step } from './discriminator-path.ts';
import { childrenOf, type ElementNode, type ElementTree } from './element-tree.ts';
import type { Item } from './items.ts';
import type { ProfileRegistry } from './registry.ts';
import type { Discriminator } from './types.ts';
import { fixedValueOf, isObject, matchesFixedValue, matchesPattern, typeFromSuffix } from './values.ts';

export type Verdict = 'yes' | 'no' | 'unknown';

export interface SliceContext {
  registry: ProfileRegistry;
  /** Does the item conform to the profile (no errors)? Undefined when the profile is not held. */
  conforms(item: Item, profileUrl: string): boolean | undefined;
  /** Resolves a reference inside the resource being validated (`#id` to a contained resource). */
  resolveLocal(reference: string): Record<string, unknown> | undefined;
}

interface Located {
  tree: ElementTree;
  node: ElementNode;
}

/** The slice's element at the discriminator path; steps into a type profile where the snapshot stops. */
function elementAt(ctx: SliceContext, tree: ElementTree, slice: ElementNode, steps: Step[]): Located | undefined {
  let here: Located = { tree, node: slice };
  for (const step of steps) {
    if (step.kind === 'resolve' || step.kind === 'ofType') return undefined;
    let next = findChild(here, step);
    if (!next) {
      const profiled = typeProfileRoot(ctx, here.node);
      if (profiled) next = findChild(profiled, step);
    }
    if (!next) return undefined;
    here = next;
  }
  return here;
}

function findChild(here: Located, step: Step): Located | undefined {
  const children = childrenOf(here.tree, here.node);
  if (step.kind === 'element') {
    const child = children.get(step.name) ?? children.get(`${step.name}[x]`);
    return child && { tree: here.tree, node: child };
  }
  if (step.kind !== 'extension') return undefined;
  const ext = children.get('extension');
  const slice = ext?.slices.find((s) => {
    const url = childrenOf(here.tree, s).get('url');
    return url?.def.fixedUri === step.url || s.def.type?.some((t) => t.profile?.includes(step.url));
  });
  return slice && { tree: here.tree, node: slice };
}

function typeProfileRoot(ctx: SliceContext, node: ElementNode): Located | undefined {
  const profiles = (node.def.type ?? []).flatMap((t) => t.profile ?? []);
  if (profiles.length !== 1) return undefined;
  const tree = ctx.registry.tree(profiles[0]!);
  return tree && { tree, node: tree.root };
}

/** The instance values at the discriminator path. */
function valuesAt(item: Item, steps: Step[]): Item[] {
  let items: Item[] = [item];
  for (const step of steps) {
    const next: Item[] = [];
    for (const it of items) {
      const obj = isObject(it.value) ? it.value : it.ext;
      if (step.kind === 'element' && obj) {
        const raw = obj[step.name];
        for (const v of Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
          next.push({ value: v, location: `${it.location}.${step.name}` });
        if (raw === undefined) next.push(...choiceValues(obj, step.name, it.location));
      } else if (step.kind === 'extension' && obj && Array.isArray(obj.extension)) {
        for (const e of obj.extension)
          if (isObject(e) && e.url === step.url) next.push({ value: e, type: 'Extension', location: it.location });
      } else if (step.kind === 'ofType') {
        if (it.type === step.type) next.push(it);
      }
    }
    items = next;
  }
  return items;
}

function choiceValues(obj: Record<string, unknown>, name: string, location: string): Item[] {
  const out: Item[] = [];
  for (const [key, v] of Object.entries(obj)) {
    const first = key.charAt(name.length);
    if (key.startsWith(name) && first !== '' && first === first.toUpperCase())
      out.push({ value: v, type: typeFromSuffix(key.slice(name.length)), location: `${location}.${key}` });
  }
  return out;
}

function valueVerdict(ctx: SliceContext, tree: ElementTree, slice: ElementNode, d: Discriminator, steps: Step[], item: Item): Verdict {
  const at = elementAt(ctx, tree, slice, steps);
  if (!at) return 'unknown';
  const values = valuesAt(item, steps);
  const fixed = fixedValueOf(at.node.def);
  if (fixed) {
    const match = (v: Item) => (d.type === 'pattern' ? matchesPattern(v.value, fixed.value) : matchesFixedValue(v.value, fixed));
    return values.some(match) ? 'yes' : 'no';
  }
  const vs = at.node.def.binding?.valueSet;
  if (at.node.def.binding?.strength === 'required' && vs && ctx.registry.valueSet(vs)) {
    return values.some((v) => valueInValueSet(ctx.registry, vs, v) === true) ? 'yes' : 'no';
  }
  return 'unknown';
}

function typeVerdict(ctx: SliceContext, slice: ElementNode, steps: Step[], item: Item): Verdict {
  const codes = (slice.def.type ?? []).map((t) => t.code);
  if (steps.length === 0) return item.type === undefined ? 'unknown' : codes.includes(item.type) ? 'yes' : 'no';
  if (steps.length === 1 && steps[0]!.kind === 'resolve') {
    const type = referencedType(ctx, item);
    const targets = (slice.def.type ?? []).flatMap((t) => t.targetProfile ?? []).map((u) => profileType(ctx, u));
    return type === undefined ? 'unknown' : targets.includes(type) ? 'yes' : 'no';
  }
  return 'unknown';
}

function profileType(ctx: SliceContext, url: string): string {
  return ctx.registry.get(url)?.type ?? url.slice(url.lastIndexOf('/') + 1);
}

function referencedType(ctx: SliceContext, item: Item): string | undefined {
  if (!isObject(item.value)) return undefined;
  const ref = item.value.reference;
  if (typeof ref === 'string') {
    if (ref.startsWith('#')) {
      const found = ctx.resolveLocal(ref);
      return typeof found?.resourceType === 'string' ? found.resourceType : undefined;
    }
    const m = /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[^/]+)?$/.exec(ref);
    if (m) return m[1];
  }
  return typeof item.value.type === 'string' ? item.value.type : undefined;
}

function profileVerdict(ctx: SliceContext, tree: ElementTree, slice: ElementNode, steps: Step[], item: Item): Verdict {
  const last = steps[steps.length - 1];
  if (last?.kind === 'resolve') {
    const at = elementAt(ctx, tree, slice, steps.slice(0, -1));
    const ref = valuesAt(item, steps.slice(0, -1))[0];
    if (!at || !ref) return 'unknown';
    const targets = (at.node.def.type ?? []).flatMap((t) => t.targetProfile ?? []);
    const type = referencedType(ctx, ref);
    if (type === undefined || targets.length === 0) return 'unknown';
    const reference = isObject(ref.value) ? ref.value.reference : undefined;
    if (typeof reference === 'string' && reference.startsWith('#')) {
      const contained = ctx.resolveLocal(reference);
      const answers = targets.map((u) => ctx.conforms({ value: contained, type, location: ref.location }, u));
      if (answers.includes(true)) return 'yes';
      if (answers.every((a) => a === false)) return 'no';
    }
    // Without the target at hand, its type can only rule a slice out.
    return targets.some((u) => profileType(ctx, u) === type) ? 'unknown' : 'no';
  }
  const at = elementAt(ctx, tree, slice, steps);
  const targets = at ? (at.node.def.type ?? []).flatMap((t) => t.profile ?? []) : [];
  const values = valuesAt(item, steps);
  if (targets.length === 0 || values.length === 0) return values.length === 0 ? 'no' : 'unknown';
  const answers = values.flatMap((v) => targets.map((u) => ctx.conforms(v, u)));
  if (answers.includes(true)) return 'yes';
  return answers.every((a) => a === false) ? 'no' : 'unknown';
}

function existsVerdict(ctx: SliceContext, tree: ElementTree, slice: ElementNode, steps: Step[], item: Item): Verdict {
  const at = elementAt(ctx, tree, slice, steps);
  if (!at) return 'unknown';
  const present = valuesAt(item, steps).length > 0;
  if ((at.node.def.min ?? 0) >= 1) return present ? 'yes' : 'no';
  if (at.node.def.max === '0') return present ? 'no' : 'yes';
  return 'unknown';
}

/** Does `item` belong to `slice`? All discriminators must say yes. */
export function matchSlice(
  ctx: SliceContext,
  tree: ElementTree,
  discriminators: Discriminator[],
  slice: ElementNode,
  item: Item,
): Verdict {
  if (discriminators.length === 0) return 'unknown';
  let verdict: Verdict = 'yes';
  for (const d of discriminators) {
    const steps = parseDiscriminatorPath(d.path);
    let v: Verdict = 'unknown';
    if (steps) {
      if (d.type === 'value' || d.type === 'pattern') v = valueVerdict(ctx, tree, slice, d, steps, item);
      else if (d.type === 'type') v = typeVerdict(ctx, slice, steps, item);
      else if (d.type === 'profile') v = profileVerdict(ctx, tree, slice, steps, item);
      else if (d.type === 'exists') v = existsVerdict(ctx, tree, slice, steps, item);
    }
    if (v === 'no') return 'no';
    if (v === 'unknown') verdict = 'unknown';
  }
  return verdict;
}
