import type { OperationOutcomeIssue } from '../../outcome.ts';
import { childPath } from '../fhirpath.ts';
import { validationError } from '../issues.ts';
import type { ResourceTree } from '../resource-tree.ts';
import { REQUIRED_PRIMITIVES } from './required-primitives-table.ts';

/**
 * Required primitive elements, satisfied by either the value (`status`) or its extension (`_status`).
 * `fromSchema` holds those the schema itself required before it learnt their `_x` companions
 * (FhirSchema.requiredPrimitives); the table holds the rest.
 */
export function checkRequiredPrimitives(
  tree: ResourceTree,
  fromSchema: ReadonlyMap<string, readonly string[]>,
): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  for (const element of tree.elements) {
    for (const required of [REQUIRED_PRIMITIVES[element.definition], fromSchema.get(element.definition)]) {
      for (const name of required ?? []) {
        if (name in element.value || `_${name}` in element.value) continue;
        issues.push(
          validationError('required', `Missing required element '${name}'`, childPath(element.path, name)),
        );
      }
    }
  }
  return issues;
}
