import type { OperationOutcomeIssue } from '../../outcome.ts';
import { validationError } from '../issues.ts';
import { isJsonObject, type ResourceTree } from '../resource-tree.ts';

/**
 * Checks the top-level resource before anything else: without a known resourceType there is no
 * schema to validate against, so a failure here is reported alone.
 */
export function checkRootResourceType(
  resource: unknown,
  isKnownType: (type: string) => boolean,
  expectedType?: string,
): OperationOutcomeIssue[] {
  const actual = isJsonObject(resource) ? resource.resourceType : undefined;
  const base = typeof actual === 'string' && isKnownType(actual) ? actual : (expectedType ?? 'Resource');
  const problem = describeProblem(resource, base, isKnownType);
  if (problem) return [problem];
  if (expectedType !== undefined && actual !== expectedType) {
    return [
      validationError(
        'invalid',
        `Expected a ${expectedType} resource but resourceType is '${String(actual)}'`,
        `${base}.resourceType`,
      ),
    ];
  }
  return [];
}

/** Every nested resource (contained, Bundle entries, Parameters) needs a known resourceType as well. */
export function checkNestedResourceTypes(
  tree: ResourceTree,
  isKnownType: (type: string) => boolean,
): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  for (const node of tree.resources.slice(1)) {
    const problem = describeProblem(node.value, node.path, isKnownType);
    if (problem) issues.push(problem);
  }
  return issues;
}

function describeProblem(
  value: unknown,
  path: string,
  isKnownType: (type: string) => boolean,
): OperationOutcomeIssue | undefined {
  if (!isJsonObject(value)) return validationError('structure', 'A resource must be a JSON object', path);
  const type = value.resourceType;
  if (type === undefined) {
    return validationError('required', "Missing required element 'resourceType'", `${path}.resourceType`);
  }
  if (typeof type !== 'string') {
    return validationError('structure', 'resourceType must be a string', `${path}.resourceType`);
  }
  if (!isKnownType(type)) {
    return validationError('value', `Unknown resourceType '${type}'`, `${path}.resourceType`);
  }
  return undefined;
}
