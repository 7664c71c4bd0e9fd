import { FhirError, unprocessable } from '../errors.ts';
import { cloneFhirJson } from '../format/json.ts';
import { insertAt, listLength, moveWithin, pruneEmpty, removeAt, setAt } from './element-edit.ts';
import {
  parseFhirPathPatch,
  type FhirPathPatchOperation,
  type JsonObject,
} from './fhirpath-patch-document.ts';
import { containerOf, locate, locateList, select, type ElementLocation } from './locate.ts';
import { checkShape, infoOf, keyFor, toElementValue } from './patch-value.ts';

/**
 * Applies a FHIRPath Patch (https://hl7.org/fhir/R4/fhirpatch.html) to a copy of `resource`.
 * Operations run in order, each against the result of the previous one.
 */
export function applyFhirPathPatch(
  resource: Record<string, unknown>,
  parameters: unknown,
): Record<string, unknown> {
  const operations = parseFhirPathPatch(parameters);
  const target = cloneFhirJson(resource);
  operations.forEach((operation, i) => {
    try {
      applyOperation(target, operation);
    } catch (err) {
      if (!(err instanceof FhirError)) throw err;
      const prefix = `FHIRPath Patch operation ${i + 1} (${operation.type} at '${operation.path}')`;
      throw new FhirError(
        err.status,
        err.issues.map((issue) => ({
          ...issue,
          diagnostics: `${prefix}: ${issue.diagnostics ?? issue.code}`,
        })),
      );
    }
  });
  pruneEmpty(target);
  return target;
}

function applyOperation(resource: JsonObject, op: FhirPathPatchOperation): void {
  switch (op.type) {
    case 'delete': {
      const nodes = select(resource, op.path);
      if (nodes.length === 0) return;
      if (nodes.length > 1)
        throw unprocessable(`path matched ${nodes.length} elements; delete removes only one`);
      const target = locate(resource, nodes[0]!, op.path);
      if (target.kind === 'resource') throw unprocessable('the resource itself cannot be deleted');
      removeAt(target.holder, target.key, target.index);
      return;
    }
    case 'replace': {
      const target = singleElement(resource, op.path, 'replacing');
      // A choice element may change type: `deceased` from deceasedBoolean to deceasedDateTime.
      const key =
        target.key !== target.name && op.value.kind === 'typed'
          ? keyFor(target.holderType, target.name, op.value)
          : target.key;
      const info = infoOf(target.holderType, key);
      const element = toElementValue(op.value, info?.type);
      checkShape(info, element, target.name);
      if (key !== target.key) removeAt(target.holder, target.key, null);
      setAt(target.holder, key, target.index, element);
      return;
    }
    case 'add': {
      const nodes = select(resource, op.path);
      if (nodes.length !== 1) throw matchCountError(nodes.length, op.path, 'adding');
      const container = containerOf(resource, locate(resource, nodes[0]!, op.path));
      const key = keyFor(container.type, op.name, op.value);
      const info = infoOf(container.type, key);
      const element = toElementValue(op.value, info?.type);
      checkShape(info, element, op.name);
      const { holder } = container;
      if (info?.array || (!info && Array.isArray(holder[key]))) {
        insertAt(holder, key, listLength(holder, key), element);
      } else if (holder[key] !== undefined) {
        throw unprocessable(`'${op.name}' already has a value; use replace to change it`);
      } else {
        // An extension-only primitive keeps its extensions when it gains a value.
        const existingExt = holder[`_${key}`] as JsonObject | undefined;
        setAt(holder, key, null, { ...element, ext: element.ext ?? existingExt });
      }
      return;
    }
    case 'insert': {
      const list = locateList(resource, op.path);
      const info = infoOf(list.holderType, list.key);
      const element = toElementValue(op.value, info?.type);
      checkShape(info, element, list.key);
      insertAt(list.holder, list.key, op.index, element);
      return;
    }
    case 'move': {
      const list = locateList(resource, op.path);
      moveWithin(list.holder, list.key, op.source, op.destination);
      return;
    }
  }
}

function singleElement(resource: JsonObject, path: string, verb: string): ElementLocation {
  const nodes = select(resource, path);
  if (nodes.length !== 1) throw matchCountError(nodes.length, path, verb);
  const target = locate(resource, nodes[0]!, path);
  if (target.kind === 'resource')
    throw unprocessable(`the resource itself cannot be the target when ${verb}`);
  return target;
}

function matchCountError(count: number, path: string, verb: string): FhirError {
  return count === 0
    ? unprocessable(`No content found at ${path} when ${verb}`)
    : unprocessable(`path matched ${count} elements but must match exactly one when ${verb}`);
}
