import type { OperationOutcomeIssue } from '../../outcome.ts';
import { impossibleDate } from '../../search/values/date.ts';
import type { FhirSchema } from '../fhir-schema.ts';
import { childPath, indexPath } from '../fhirpath.ts';
import { describeValue, validationError } from '../issues.ts';
import type { ResourceTree } from '../resource-tree.ts';

/** The types that name a day. A `time` names none, and its pattern already bounds all its fields. */
const DAY_TYPES = ['date', 'dateTime', 'instant'];

/**
 * Dates that name no day of the calendar: `1980-02-30`, or February 29 in a common year (1900 is
 * one, 2000 is not). The schema's patterns bound each field on its own (months 01-12, days 01-31,
 * hours 00-23, seconds 00-60, zones within ±14:00) but cannot tie a day to its month; without this,
 * such a date was stored although a search for it is refused. Values the pattern refuses are left
 * to the schema, so each problem is reported once.
 */
export function createCalendarDateCheck(
  schema: Pick<FhirSchema, 'definitions' | 'primitives'>,
): (tree: ResourceTree) => OperationOutcomeIssue[] {
  const forms = new Map(
    DAY_TYPES.map((type) => [type, new RegExp(String(schema.definitions[type]?.pattern), 'u')]),
  );

  return (tree) => {
    const issues: OperationOutcomeIssue[] = [];
    const check = (type: string, value: unknown, path: string): void => {
      if (typeof value !== 'string' || !forms.get(type)?.test(value)) return;
      const problem = impossibleDate(value);
      if (problem) {
        const message = `${describeValue(value)} is not a valid FHIR ${type}: it ${problem}`;
        issues.push(validationError('value', message, path));
      }
    };
    for (const element of tree.elements) {
      const slots = schema.primitives.get(element.definition);
      if (!slots) continue;
      for (const [key, value] of Object.entries(element.value)) {
        const slot = slots.get(key);
        // A list where one value belongs (or the reverse) is the schema's to report.
        if (!slot || !forms.has(slot.type) || slot.array !== Array.isArray(value)) continue;
        const path = childPath(element.path, key);
        if (Array.isArray(value)) value.forEach((item, i) => check(slot.type, item, indexPath(path, i)));
        else check(slot.type, value, path);
      }
    }
    return issues;
  };
}
