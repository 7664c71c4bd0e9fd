import fhirpath from 'fhirpath';
import type { ResourceNode } from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { badRequest, unprocessable } from '../errors.ts';
import { elementInfo } from '../model/type-info.ts';
import { childHolder } from './element-edit.ts';
import { isObject, type JsonObject } from './fhirpath-patch-document.ts';
import { checkPatchPath } from './path-guard.ts';

/** Where a selected element lives in the JSON tree: `holder[key]`, or `holder[key][index]`. */
export interface ElementLocation {
  holder: JsonObject;
  /** JSON property name; for a choice element this carries the type suffix (`deceasedBoolean`). */
  key: string;
  /** Element name as FHIRPath sees it (`deceased`). */
  name: string;
  index: number | null;
  /** FHIR type of `holder`, when the type tables know it. */
  holderType: string | undefined;
}

export type Target = { kind: 'resource' } | ({ kind: 'element' } & ElementLocation);

/** A list element as a whole: `holder[key]` is (or will become) an array. */
export interface ListLocation {
  holder: JsonObject;
  key: string;
  holderType: string | undefined;
}

// fhirpath.js lexes these as operators even after a dot, so `Patient.text.div` would not
// parse; backtick-quoting them after a dot cannot change the meaning of a valid expression.
const OPERATOR_WORDS = new Set(['div', 'mod', 'and', 'or', 'xor', 'implies']);

/** Evaluates `path` on `resource`, returning the tree nodes it selects. */
export function select(resource: JsonObject, path: string): ResourceNode[] {
  checkPatchPath(path);
  let evaluator: (resource: unknown) => unknown[];
  try {
    evaluator = fhirpath.compile(quoteOperatorWords(path), r4, { resolveInternalTypes: false });
  } catch (err) {
    throw badRequest(`Invalid FHIRPath '${path}': ${firstLine(err)}`);
  }
  let result: unknown[];
  try {
    result = evaluator(resource);
  } catch (err) {
    throw unprocessable(`FHIRPath '${path}' could not be evaluated: ${firstLine(err)}`);
  }
  return result.map((item) => {
    if (!isResourceNode(item))
      throw unprocessable(`FHIRPath '${path}' does not select elements of the resource`);
    return item;
  });
}

/** Maps a node fhirpath selected back to its place in `resource`. */
export function locate(resource: JsonObject, node: ResourceNode, path: string): Target {
  const steps: { name: string; index: number | null }[] = [];
  let current: ResourceNode = node;
  while (current.parentResNode) {
    if (!current.propName) throw unprocessable(`FHIRPath '${path}' does not select elements of the resource`);
    steps.unshift({
      name: current.propName,
      index: typeof current.index === 'number' ? current.index : null,
    });
    current = current.parentResNode;
  }
  if (current.data !== resource)
    throw unprocessable(`FHIRPath '${path}' does not select elements of the resource`);
  if (steps.length === 0) return { kind: 'resource' };

  let holder = resource;
  let holderType = typeof resource.resourceType === 'string' ? resource.resourceType : undefined;
  for (const [i, step] of steps.entries()) {
    const key = jsonKey(holder, step.name);
    if (i === steps.length - 1)
      return { kind: 'element', holder, key, name: step.name, index: step.index, holderType };
    const value = at(holder[key], step.index);
    if (isObject(value)) {
      holderType = typeof value.resourceType === 'string' ? value.resourceType : typeOf(holderType, key);
      holder = value;
    } else {
      // Children of a primitive (id, extension) live in its `_key` companion.
      const companion = at(holder[`_${key}`], step.index);
      if (!isObject(companion))
        throw unprocessable(`FHIRPath '${path}' selected an element that cannot be located`);
      holder = companion;
      holderType = 'Element';
    }
  }
  throw unprocessable(`FHIRPath '${path}' selected an element that cannot be located`);
}

/**
 * The list `path` names, for insert and move. The path selects the list's items; when the
 * list is empty it selects nothing, so the list is then found as the last `.name` segment
 * of an expression that must select exactly one element.
 */
export function locateList(resource: JsonObject, path: string): ListLocation {
  const nodes = select(resource, path);
  if (nodes.length > 0) {
    const locations = nodes.map((node) => locate(resource, node, path));
    const first = locations[0]!;
    const sameList = locations.every(
      (l) =>
        l.kind === 'element' &&
        first.kind === 'element' &&
        l.index !== null &&
        l.holder === first.holder &&
        l.key === first.key,
    );
    if (!sameList || first.kind !== 'element')
      throw unprocessable(`FHIRPath '${path}' does not select a single list`);
    return { holder: first.holder, key: first.key, holderType: first.holderType };
  }
  const split = /^(.+)\.([A-Za-z][A-Za-z0-9_]*)$/.exec(path.trim());
  if (!split) throw unprocessable(`No list found at '${path}'`);
  const [, parentPath, name] = split as unknown as [string, string, string];
  const parents = select(resource, parentPath);
  if (parents.length !== 1) throw unprocessable(`No list found at '${path}'`);
  const container = containerOf(resource, locate(resource, parents[0]!, parentPath));
  const key = jsonKey(container.holder, name);
  const info = container.type === undefined ? undefined : elementInfo(container.type, key);
  if (container.type !== undefined && !info?.array) {
    throw unprocessable(`'${name}' is not a list element of ${container.type}`);
  }
  return { holder: container.holder, key, holderType: container.type };
}

/** The object new children of `target` go into, and its FHIR type when known. */
export function containerOf(
  resource: JsonObject,
  target: Target,
): { holder: JsonObject; type: string | undefined } {
  if (target.kind === 'resource') {
    return {
      holder: resource,
      type: typeof resource.resourceType === 'string' ? resource.resourceType : undefined,
    };
  }
  const { holder, key, index, holderType } = target;
  const value = at(holder[key], index);
  const type = !isObject(value)
    ? 'Element'
    : typeof value.resourceType === 'string'
      ? value.resourceType
      : typeOf(holderType, key);
  return { holder: childHolder(holder, key, index), type };
}

export function typeOf(holderType: string | undefined, key: string): string | undefined {
  return holderType === undefined ? undefined : elementInfo(holderType, key)?.type;
}

/** The JSON key for element `name` in `holder`, resolving choice elements (`value` → `valueString`). */
export function jsonKey(holder: JsonObject, name: string): string {
  if (Object.hasOwn(holder, name) || Object.hasOwn(holder, `_${name}`)) return name;
  const choices = new Set(
    Object.keys(holder)
      .map((k) => (k.startsWith('_') ? k.slice(1) : k))
      .filter((k) => k.startsWith(name) && /^[A-Z]/.test(k.slice(name.length))),
  );
  return choices.size === 1 ? [...choices][0]! : name;
}

function at(value: unknown, index: number | null): unknown {
  if (index === null) return value;
  return Array.isArray(value) ? value[index] : undefined;
}

function quoteOperatorWords(expression: string): string {
  let out = '';
  let i = 0;
  while (i < expression.length) {
    const ch = expression[i]!;
    if (ch === "'" || ch === '`' || ch === '"') {
      let j = i + 1;
      while (j < expression.length && expression[j] !== ch) j += expression[j] === '\\' ? 2 : 1;
      out += expression.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const member = ch === '.' ? /^\.([A-Za-z_][A-Za-z0-9_]*)/.exec(expression.slice(i)) : null;
    if (member && OPERATOR_WORDS.has(member[1]!)) {
      out += `.\`${member[1]}\``;
      i += member[0].length;
      continue;
    }
    out += ch;
    i += 1;
  }
  return out;
}

function isResourceNode(item: unknown): item is ResourceNode {
  return isObject(item) && 'parentResNode' in item && 'propName' in item;
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0] ?? '';
}
