import { randomInt } from 'node:crypto';
import { ZRN_SYSTEM } from '../../auth/find-by-identifier.ts';
import { COLLECTIVE_ROLE_SYSTEM } from '../../config.ts';
import { COLLECTIVE_TAG_SYSTEM } from '../../access/rules/collective-managed.ts';

export { COLLECTIVE_ROLE_SYSTEM, COLLECTIVE_TAG_SYSTEM, ZRN_SYSTEM };

/** A caregiver group's registration number (GRN), generated when the group is made. */
export const GRN_SYSTEM = 'https://zorgpoort.nl/fhir/NamingSystem/grn';

/**
 * The roles in a collective (CodeSystem collective-role), on the caregiver's PractitionerRole
 * there. `caregiver` (betrokken zorgverlener) is membership itself; the others add to it,
 * except `administrator`, which may be held alone (administration, not care).
 */
export const ROLES = ['administrator', 'beheerder', 'casemanager', 'caregiver'] as const;
export type CollectiveRole = (typeof ROLES)[number];

export const ROLE_NAMES: Record<CollectiveRole, { nl: string; en: string }> = {
  administrator: { nl: 'administrator', en: 'administrator' },
  beheerder: { nl: 'beheerder', en: 'manager (beheerder)' },
  casemanager: { nl: 'casemanager', en: 'case manager' },
  caregiver: { nl: 'betrokken zorgverlener', en: 'involved caregiver' },
};

// Letters and digits that cannot be mistaken for one another when read aloud or copied from a
// letter (no 0/O, 1/l/I). The ZRN keeps both cases: it is case-sensitive by design.
const MIXED = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function draw(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** A new ZRN: 8 case-sensitive characters (about 2^46). */
export const newZrn = () => draw(MIXED, 8);

/** A new GRN: `G-` and 8 characters. */
export const newGrn = () => `G-${draw(UPPER, 8)}`;

/**
 * A new activation code: 16 characters in groups of four (80 bits), unguessable in any number of
 * rate-limited attempts; upper case, so a patient can type it from the letter.
 */
export const newActivationCode = () =>
  [draw(UPPER, 4), draw(UPPER, 4), draw(UPPER, 4), draw(UPPER, 4)].join('-');

/** How a patient may type the code: any case, with or without spaces and dashes. */
export function normalizeActivationCode(typed: string): string {
  const bare = typed.toUpperCase().replace(/[\s-]/g, '');
  return bare.length === 16 ? bare.match(/.{4}/g)!.join('-') : bare;
}
