import { FhirError } from '../../fhir/errors.ts';
import type { Resource } from '../../fhir/storage/types.ts';

/** Numbers the server hands out ($register, $create-group): nobody else sets or changes them. */
const ASSIGNED = new Set([
  'https://zorgpoort.nl/fhir/NamingSystem/zrn',
  'https://zorgpoort.nl/fhir/NamingSystem/grn',
]);
/** Numbers a login is resolved by (a UZI-pas, DigiD's BSN): set when a record is made, then kept. */
const LOGIN = new Set([
  'http://fhir.nl/fhir/NamingSystem/uzi-nr-pers',
  'http://fhir.nl/fhir/NamingSystem/bsn',
]);

const numbers = (r: Resource | undefined, systems: Set<string>) =>
  ((r?.identifier ?? []) as { system?: string; value?: string }[])
    .filter((i) => i.system !== undefined && systems.has(i.system))
    .map((i) => `${i.system}|${i.value ?? ''}`)
    .sort()
    .join(' ');

/**
 * A gated caller neither sets a number the server assigns (a ZRN, a GRN) nor changes the numbers
 * a login finds a person by: whoever could would take over that person's logins, or their place
 * in a care collective. (Trusted callers, such as a registration system, can.)
 */
export function assertIdentifiersKept(
  resourceType: string,
  id: string,
  after: Resource | undefined,
  before: Resource | undefined,
) {
  if (!after) return;
  const assignedChanged = numbers(after, ASSIGNED) !== numbers(before, ASSIGNED);
  const loginChanged = before !== undefined && numbers(after, LOGIN) !== numbers(before, LOGIN);
  if (!assignedChanged && !loginChanged) return;
  throw new FhirError(
    403,
    assignedChanged
      ? `${resourceType}/${id}: a ZRN or GRN is assigned by the server ($register, $create-group) and never set or changed by a write / ` +
          `${resourceType}/${id}: een ZRN of GRN wordt door de server toegekend ($register, $create-group), nooit met een schrijfactie gezet of gewijzigd`
      : `${resourceType}/${id}: the UZI number or BSN a login is matched by is not changed by a write; ask the service desk / ` +
          `${resourceType}/${id}: het UZI-nummer of BSN waarop een login wordt gevonden verandert niet met een schrijfactie; vraag de servicedesk`,
    { code: 'forbidden' },
  );
}
