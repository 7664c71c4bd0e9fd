import type { OperationOutcomeIssue } from '../../outcome.ts';
import { describeValue, validationError } from '../issues.ts';
import { isJsonObject, type ResourceNode, type ResourceTree } from '../resource-tree.ts';
import { validateId } from './id.ts';

const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OID_URN = /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/;
const ABSOLUTE_HTTP = /^https?:\/\/\S+$/;
const EXPECTED_FORMS = "Type/id, an http(s) URL, urn:uuid:, urn:oid:, '#contained-id' or Type?search";

/**
 * Checks the syntax of every `Reference.reference` (FHIR R4 §2.3.0): whether a relative or absolute
 * target exists is not checked here, but a local `#id` must resolve within the same resource (ref-1).
 */
export function checkReferences(
  tree: ResourceTree,
  isKnownType: (type: string) => boolean,
): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  for (const element of tree.elements) {
    if (element.definition !== 'Reference') continue;
    const reference = element.value.reference;
    if (typeof reference !== 'string') continue;
    const problem = referenceProblem(reference, element.resource, isKnownType);
    if (problem) issues.push(validationError('value', problem, `${element.path}.reference`));
  }
  return issues;
}

/** Returns why the reference is invalid, or undefined when it is fine. */
function referenceProblem(
  reference: string,
  owner: ResourceNode,
  isKnownType: (type: string) => boolean,
): string | undefined {
  const quoted = describeValue(reference);
  if (reference.startsWith('#')) return localReferenceProblem(reference.slice(1), owner);
  if (/^https?:/i.test(reference)) {
    return ABSOLUTE_HTTP.test(reference) && URL.canParse(reference) ? undefined : `Invalid URL ${quoted}`;
  }
  if (reference.startsWith('urn:uuid:')) {
    return UUID_URN.test(reference) ? undefined : `Invalid UUID reference ${quoted}`;
  }
  if (reference.startsWith('urn:oid:')) {
    return OID_URN.test(reference) ? undefined : `Invalid OID reference ${quoted}`;
  }

  const query = reference.indexOf('?');
  if (query >= 0) {
    // Conditional reference (`Patient?identifier=...`), resolved by the transaction layer.
    const type = reference.slice(0, query);
    if (!/^[A-Za-z]+$/.test(type)) return `Invalid reference ${quoted}: expected ${EXPECTED_FORMS}`;
    if (!isKnownType(type)) return `Unknown resource type '${type}' in reference ${quoted}`;
    return query === reference.length - 1
      ? `Conditional reference ${quoted} has no search criteria`
      : undefined;
  }

  const parts = reference.split('/');
  const [type, id, history, versionId] = parts;
  const shapeOk = parts.length === 2 || (parts.length === 4 && history === '_history');
  if (!shapeOk || type === undefined || id === undefined || !/^[A-Za-z]+$/.test(type)) {
    return `Invalid reference ${quoted}: expected ${EXPECTED_FORMS}`;
  }
  if (!isKnownType(type)) return `Unknown resource type '${type}' in reference ${quoted}`;
  if (id === '') return `Reference ${quoted} has no resource id`;
  if (!validateId(id)) return `Invalid resource id ${describeValue(id)} in reference ${quoted}`;
  if (versionId !== undefined && !validateId(versionId)) {
    return `Invalid version id ${describeValue(versionId)} in reference ${quoted}`;
  }
  return undefined;
}

function localReferenceProblem(id: string, owner: ResourceNode): string | undefined {
  // A bare '#' points from a contained resource back to its container (ref-1).
  if (id === '')
    return owner.container ? undefined : "Reference '#' is only allowed inside a contained resource";
  const container = outermostResource(owner);
  const contained = isJsonObject(container.value) ? container.value.contained : undefined;
  const found =
    Array.isArray(contained) && contained.some((resource) => isJsonObject(resource) && resource.id === id);
  return found ? undefined : `Reference '#${id}' does not match the id of any contained resource`;
}

/** Local references resolve against the resource that holds the `contained` list. */
function outermostResource(node: ResourceNode): ResourceNode {
  let current = node;
  while (current.container) current = current.container;
  return current;
}
