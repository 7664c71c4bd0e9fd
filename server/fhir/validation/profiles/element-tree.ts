import type { ElementDefinition, StructureDefinition } from './types.ts';

/**
 * A snapshot as a tree: each element with its child elements by name (`value[x]`, `extension`)
 * and, for a sliced element, its slices (each a node with children of its own).
 */
export interface ElementNode {
  readonly def: ElementDefinition;
  readonly children: Map<string, ElementNode>;
  readonly slices: ElementNode[];
  /** Name of the element in its parent, as in the path (`deceased[x]`). */
  readonly name: string;
}

export interface ElementTree {
  readonly sd: StructureDefinition;
  readonly root: ElementNode;
  /** Unsliced nodes by path, for `contentReference` (`#Questionnaire.item`). */
  readonly byPath: Map<string, ElementNode>;
}

function node(def: ElementDefinition, name: string): ElementNode {
  return { def, children: new Map(), slices: [], name };
}

/** Slice names may not contain `.` (eld-16), so ids split on it. */
export function buildElementTree(sd: StructureDefinition): ElementTree {
  const elements = sd.snapshot.element;
  const first = elements[0];
  if (!first) throw new Error(`StructureDefinition ${sd.url} has an empty snapshot`);
  const root = node(first, first.path);
  const byId = new Map<string, ElementNode>([[first.id, root]]);
  const byPath = new Map<string, ElementNode>([[first.path, root]]);
  for (const def of elements.slice(1)) {
    const segments = def.id.split('.');
    const last = segments.pop()!;
    const parentId = segments.join('.');
    const colon = last.indexOf(':');
    const name = colon < 0 ? last : last.slice(0, colon);
    const current = node(def, name);
    byId.set(def.id, current);
    if (colon < 0) {
      const parent = byId.get(parentId);
      if (!parent) continue; // an orphan would be a generator bug; it constrains nothing we can reach
      parent.children.set(name, current);
      if (!def.id.includes(':')) byPath.set(def.path, current);
      continue;
    }
    // `name:slice` is a slice of `name`; `name:slice/reslice` a slice of `name:slice`.
    const sliceName = last.slice(colon + 1);
    const cut = sliceName.lastIndexOf('/');
    const slicedId = `${parentId ? `${parentId}.` : ''}${name}${cut < 0 ? '' : `:${sliceName.slice(0, cut)}`}`;
    byId.get(slicedId)?.slices.push(current);
  }
  return { sd, root, byPath };
}

/** The children that apply to a node: its own, or those of the element its contentReference names. */
export function childrenOf(tree: ElementTree, n: ElementNode): Map<string, ElementNode> {
  if (n.children.size > 0 || !n.def.contentReference) return n.children;
  const target = tree.byPath.get(n.def.contentReference.replace(/^[^#]*#/, ''));
  return target?.children ?? n.children;
}
