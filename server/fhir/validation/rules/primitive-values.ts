import type { OperationOutcomeIssue } from '../../outcome.ts';
import { childPath, indexPath } from '../fhirpath.ts';
import { validationError } from '../issues.ts';

// C0 controls other than tab, LF and CR (datatypes.html#string). The schema's `\S` lets them
// through, and XML 1.0 cannot carry them, so a stored value could never be served as XML.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

/**
 * Every string is well-formed Unicode without forbidden control characters, and every number
 * is finite (JSON.parse turns `1e400` into Infinity, which JSON.stringify would store as null).
 */
export function checkPrimitiveValues(resource: unknown, rootPath: string): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  const visit = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      if (!value.isWellFormed()) {
        issues.push(validationError('value', 'The string contains an unpaired UTF-16 surrogate', path));
      } else if (FORBIDDEN_CONTROL.test(value)) {
        const code = value.codePointAt(value.search(FORBIDDEN_CONTROL))!;
        const hex = code.toString(16).toUpperCase().padStart(4, '0');
        issues.push(validationError('value', `The string contains the control character U+${hex}`, path));
      }
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) issues.push(validationError('value', 'The number is out of range', path));
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, indexPath(path, i)));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) visit(item, childPath(path, key));
    }
  };
  visit(resource, rootPath);
  return issues;
}
