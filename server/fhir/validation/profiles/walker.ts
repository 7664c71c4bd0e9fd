/**
 * Walks a resource along a profile's snapshot: cardinality (also per slice), fixed[x]/pattern[x],
 * allowed types, required bindings, slicing (slice counts, closed slicing), and the profiles named
 * on types (datatype profiles, extension definitions), recursively.
 */
import type { OperationOutcomeIssue } from '../../outcome.ts';
import { checkRequiredBinding } from './bindings.ts';
import { childrenOf, type ElementNode, type ElementTree } from './element-tree.ts';
import { childItems, isPresent, type Item } from './items.ts';
import type { ProfileRegistry } from './registry.ts';
import { matchSlice, type SliceContext } from './slicing.ts';
import type { Discriminator } from './types.ts';
import { describeValue } from '../issues.ts';
import { fixedValueOf, isObject, matchesFixedValue, maxOf } from './values.ts';

/** Profiles within profiles (extension in a datatype profile in a resource profile ...). */
const MAX_DEPTH = 12;
const SYSTEM_TYPE = 'http://hl7.org/fhirpath/System.';
const EXTENSION_SLICING: Discriminator[] = [{ type: 'value', path: 'url' }];

export class ProfileWalker {
  private readonly issues: OperationOutcomeIssue[] = [];
  private readonly slicing: SliceContext;

  constructor(
    private readonly registry: ProfileRegistry,
    private readonly resource: unknown,
    private readonly depth = 0,
  ) {
    this.slicing = {
      registry,
      conforms: (item, url) => this.conforms(item, url),
      resolveLocal: (ref) => this.resolveLocal(ref),
    };
  }

  /** Validates `item` against the root of `tree`; returns the issues found. */
  run(tree: ElementTree, item: Item): OperationOutcomeIssue[] {
    this.checkElement(tree, tree.root, item);
    return this.issues;
  }

  private report(
    severity: OperationOutcomeIssue['severity'],
    code: OperationOutcomeIssue['code'],
    tree: ElementTree,
    message: string,
    location: string,
  ): void {
    this.issues.push({ severity, code, diagnostics: `${message} (profile ${tree.sd.id})`, expression: [location] });
  }

  private checkElement(tree: ElementTree, node: ElementNode, item: Item): void {
    const def = node.def;
    const fixed = fixedValueOf(def);
    if (fixed && item.value !== undefined && !matchesFixedValue(item.value, fixed)) {
      const what = fixed.kind === 'fixed' ? 'the fixed value' : 'the pattern';
      this.report('error', 'value', tree, `${def.id}: value ${describeValue(item.value)} does not match ${what} ${describeValue(fixed.value)}`, item.location);
    }
    for (const issue of checkRequiredBinding(this.registry, def, item)) this.issues.push(issue);

    const types = (def.type ?? []).filter((t) => !t.code.startsWith(SYSTEM_TYPE));
    if (item.type !== undefined && types.length > 0 && node.name.endsWith('[x]') && !types.some((t) => t.code === item.type)) {
      const allowed = types.map((t) => t.code).join(', ');
      this.report('error', 'structure', tree, `${def.id}: type ${item.type} is not allowed here (allowed: ${allowed})`, item.location);
      return;
    }
    const children = childrenOf(tree, node);
    if (children.size === 0) {
      const type = types.length === 1 ? types[0] : types.find((t) => t.code === item.type);
      if (type?.profile?.length) this.checkTypeProfiles(tree, node, item, type.profile);
      return;
    }
    for (const child of children.values()) this.checkChild(tree, children, item, child);
  }

  /** The value must conform to one of the profiles named on its type. */
  private checkTypeProfiles(tree: ElementTree, node: ElementNode, item: Item, profiles: string[]): void {
    const loaded = profiles.filter((u) => u !== tree.sd.url && this.registry.has(u));
    if (loaded.length === 0) {
      if (profiles.some((u) => u !== tree.sd.url))
        this.report('information', 'not-supported', tree, `${node.def.id}: profile ${profiles.join(', ')} is not loaded; not checked`, item.location);
      return;
    }
    if (this.depth >= MAX_DEPTH) return;
    const results = loaded.map((u) => new ProfileWalker(this.registry, this.resource, this.depth + 1).run(this.registry.tree(u)!, item));
    const passing = results.find((r) => !r.some((i) => i.severity === 'error'));
    const chosen = passing ?? results.reduce((a, b) => (errorCount(b) < errorCount(a) ? b : a));
    this.issues.push(...chosen);
  }

  private checkChild(tree: ElementTree, siblings: Map<string, ElementNode>, parent: Item, child: ElementNode): void {
    const items = childItems(parent, child, siblings).filter(isPresent);
    const def = child.def;
    const location = `${parent.location}.${child.name.replace('[x]', '')}`;
    const min = def.min ?? 0;
    const max = maxOf(def.max);
    if (items.length < min) {
      this.report('error', 'required', tree, `${def.id}: minimum required = ${min}, but only found ${items.length}`, location);
    }
    if (items.length > max) {
      this.report('error', 'structure', tree, `${def.id}: maximum allowed = ${max}, but found ${items.length}`, location);
    }
    const unsliced = child.slices.length > 0 ? this.checkSlices(tree, child, items) : items;
    const isExtension = child.name === 'extension' || child.name === 'modifierExtension';
    for (const item of items) this.checkElement(tree, child, item);
    if (isExtension) for (const item of unsliced) this.checkKnownExtension(item);
  }

  /** Assigns the items to slices, checks each slice's cardinality; returns the items in no slice. */
  private checkSlices(tree: ElementTree, sliced: ElementNode, items: Item[]): Item[] {
    const isExtension = sliced.name === 'extension' || sliced.name === 'modifierExtension';
    const declared = sliced.def.slicing?.discriminator ?? [];
    // Extensions are sliced by url even where a snapshot leaves the slicing out.
    const discriminators = declared.length === 0 && isExtension ? EXTENSION_SLICING : declared;
    const closed = sliced.def.slicing?.rules === 'closed';
    const counts = new Map<ElementNode, number>(sliced.slices.map((s) => [s, 0]));
    const undecided = new Set<ElementNode>();
    const rest: Item[] = [];
    for (const item of items) {
      let matched: ElementNode | undefined;
      let unknown = false;
      for (const slice of sliced.slices) {
        const verdict = matchSlice(this.slicing, tree, discriminators, slice, item);
        if (verdict === 'yes') {
          matched = slice;
          break;
        }
        if (verdict === 'unknown') {
          unknown = true;
          undecided.add(slice);
        }
      }
      if (matched) {
        counts.set(matched, counts.get(matched)! + 1);
        this.checkElement(tree, matched, item);
        continue;
      }
      rest.push(item);
      if (closed && !unknown) {
        this.report('error', 'structure', tree, `${sliced.def.id}: the value matches none of the slices, and the slicing is closed`, item.location);
      }
    }
    const location = items[0]?.location.replace(/\[\d+\]$/, '');
    for (const [slice, count] of counts) {
      const min = slice.def.min ?? 0;
      const max = maxOf(slice.def.max);
      const where = location ?? slice.def.path;
      if (count < min) {
        const message = `${slice.def.id}: slice '${slice.def.sliceName}' requires at least ${min}, but found ${count}`;
        if (undecided.has(slice)) this.report('information', 'incomplete', tree, `${message} (some values could not be assigned to slices; not checked)`, where);
        else this.report('error', 'required', tree, message, where);
      }
      if (count > max) {
        this.report('error', 'structure', tree, `${slice.def.id}: slice '${slice.def.sliceName}' allows at most ${max}, but found ${count}`, where);
      }
    }
    return rest;
  }

  /** An extension outside any slice, whose definition the server holds, must conform to it. */
  private checkKnownExtension(item: Item): void {
    const url = isObject(item.value) ? item.value.url : undefined;
    if (typeof url !== 'string' || this.depth >= MAX_DEPTH) return;
    const tree = this.registry.tree(url);
    if (!tree || tree.sd.type !== 'Extension') return;
    this.issues.push(...new ProfileWalker(this.registry, this.resource, this.depth + 1).run(tree, item));
  }

  private conforms(item: Item, url: string): boolean | undefined {
    const tree = this.registry.tree(url);
    if (!tree) return undefined;
    if (this.depth >= MAX_DEPTH) return undefined;
    const issues = new ProfileWalker(this.registry, this.resource, this.depth + 1).run(tree, item);
    return !issues.some((i) => i.severity === 'error');
  }

  private resolveLocal(reference: string): Record<string, unknown> | undefined {
    if (!isObject(this.resource) || !Array.isArray(this.resource.contained)) return undefined;
    const id = reference.slice(1);
    return this.resource.contained.find((c): c is Record<string, unknown> => isObject(c) && c.id === id);
  }
}

function errorCount(issues: OperationOutcomeIssue[]): number {
  return issues.filter((i) => i.severity === 'error').length;
}
