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
      // Repeated parameters AND: two different ids can match nothing.
      criteria.ids = criteria.ids === undefined || criteria.ids.includes(value) ? [value] : [];
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

/** The in-memory twin of the store's criteria query, for resources not written yet. */
export function matchesCriteria(resource: Record<string, unknown>, criteria: IdentifierCriteria): boolean {
  if (criteria.ids && !criteria.ids.includes(resource.id as string)) return false;
  const raw = resource.identifier;
  const identifiers = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as {
    system?: unknown;
    value?: unknown;
  }[];
  return (criteria.identifiers ?? []).every((want) =>
    identifiers.some(
      (have) =>
        (want.value === undefined || have.value === want.value) &&
        (want.system === undefined ||
          (want.system === '' ? have.system === undefined : have.system === want.system)),
    ),
  );
}

/**
 * Advisory-lock keys that serialise conditional writes whose criteria could match the same
 * resource, however they are spelled: one key per identifier value or id, and the whole type
 * when a term has no value (`identifier=system|`). Every conditional write takes the type key,
 * shared unless it needs it exclusively, so the two kinds also exclude each other.
 */
export function criteriaLockKeys(
  resourceType: string,
  criteria: IdentifierCriteria,
): { typeKey: string; typeExclusive: boolean; valueKeys: string[] } {
  const valueKeys = new Set<string>();
  let typeExclusive = false;
  for (const id of criteria.ids ?? []) valueKeys.add(`${resourceType}:_id:${id}`);
  for (const ident of criteria.identifiers ?? []) {
    if (ident.value === undefined) typeExclusive = true;
    else valueKeys.add(`${resourceType}:identifier:${ident.value}`);
  }
  return { typeKey: `${resourceType}:*`, typeExclusive, valueKeys: [...valueKeys].sort() };
}
