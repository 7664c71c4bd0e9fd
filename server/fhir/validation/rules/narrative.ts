import { FhirError } from '../../errors.ts';
import { checkXhtmlDiv } from '../../format/xml/xhtml.ts';
import type { OperationOutcomeIssue } from '../../outcome.ts';
import { validationError } from '../issues.ts';
import type { ResourceTree } from '../resource-tree.ts';

/**
 * Narrative.div must be one well-formed XHTML div (no DOCTYPE, nothing around it). JSON carries
 * it as a string the schema cannot look into; without this check a resource could be stored
 * that can never be served as XML.
 */
export function checkNarratives(tree: ResourceTree): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  for (const element of tree.elements) {
    if (element.definition !== 'Narrative' || typeof element.value.div !== 'string') continue;
    const path = `${element.path}.div`;
    try {
      checkXhtmlDiv(element.value.div, path);
    } catch (err) {
      if (!(err instanceof FhirError)) throw err;
      issues.push(validationError('value', err.issues[0]?.diagnostics ?? 'Invalid narrative XHTML', path));
    }
  }
  return issues;
}
