import { FhirError } from '../errors.ts';
import type { IdentifierCriteria } from '../storage/types.ts';

/**
 * Parses the criteria of conditional create/update/delete/patch and conditional references.
 * Until the full search engine lands, only `_id` and `identifier` are understood; anything
 * else is refused rather than ignored, because ignoring a criterion would widen the match.
 */
export function parseConditionalCriteria(query: string, allowEmpty = false): IdentifierCriteria {
  const params = new URLSearchParams(query);
  const criteria: IdentifierCriteria = {};
  let any = false;
  for (const [name, value] of params) {
    any = true;
    if (value.includes(',')) {
      throw new FhirError(400, `Conditional criteria: OR lists ('${name}=${value}') are not supported`, {
        code: 'not-supported',
      });
    }
    if (name === '_id') {
      criteria.ids = [...(criteria.ids ?? []), value];
    } else if (name === 'identifier') {
      const bar = value.indexOf('|');
      const ident =
        bar < 0 ? { value } : { system: value.slice(0, bar), value: value.slice(bar + 1) || undefined };
      if (ident.value === undefined && !ident.system) {
        throw new FhirError(400, `Conditional criteria: empty identifier`, { code: 'invalid' });
      }
      (criteria.identifiers ??= []).push(ident);
    } else {
      throw new FhirError(
        400,
        `Conditional criteria: parameter '${name}' is not supported (use _id or identifier)`,
        {
          code: 'not-supported',
        },
      );
    }
  }
  if (!any && !allowEmpty) throw new FhirError(400, 'Conditional criteria are empty', { code: 'invalid' });
  return criteria;
}

/** What GET [type] and conditional criteria accept today; listed in the CapabilityStatement. */
export const supportedSearchParameters = [
  { name: '_id', type: 'token', documentation: 'Logical id; comma-separated values are not supported yet' },
  { name: 'identifier', type: 'token', documentation: 'system|value, |value, system| or value' },
] as const;
