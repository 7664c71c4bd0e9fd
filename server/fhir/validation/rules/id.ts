import type { OperationOutcomeIssue } from '../../outcome.ts';
import { describeValue, validationError } from '../issues.ts';
import { isJsonObject, type ResourceTree } from '../resource-tree.ts';

const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

/** The FHIR `id` datatype: 1-64 characters from A-Z, a-z, 0-9, '-' and '.'. */
export function validateId(id: string): boolean {
  // '.' and '..' are FHIR-legal but URL path segments that clients resolve away.
  return ID_PATTERN.test(id) && !/^\.+$/.test(id);
}

/** Checks the logical id of the resource and of every nested resource, contained ones included. */
export function checkResourceIds(tree: ResourceTree): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  for (const node of tree.resources) {
    if (!isJsonObject(node.value) || !('id' in node.value)) continue;
    const id = node.value.id;
    const path = `${node.path}.id`;
    if (typeof id !== 'string') {
      issues.push(validationError('structure', 'Resource id must be a string', path));
    } else if (!validateId(id)) {
      issues.push(
        validationError(
          'value',
          `Invalid resource id ${describeValue(id)}: use 1-64 characters from A-Z, a-z, 0-9, '-' and '.'`,
          path,
        ),
      );
    }
  }
  return issues;
}
