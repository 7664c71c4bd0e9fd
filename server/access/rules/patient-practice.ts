import type { Principal } from '../../auth/principal.ts';
import { FhirError } from '../../fhir/errors.ts';
import type { AccessPolicy, CheckedWrite } from '../policy.ts';

/** The fields of a Patient record that say which practice the patient belongs to. */
const PRACTICE_FIELDS = ['generalPractitioner', 'managingOrganization'] as const;

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * A patient does not move their own record to another practice. `generalPractitioner` and
 * `managingOrganization` decide which practice's portal they may register for, whose agenda they
 * read and book, and who answers their requests (server/domain/practice), and they make a
 * treatment relationship for the gate: a practice changes them (or its system), the patient's
 * own edits of their record keep them as they are. Conformance tokens that load fixtures
 * (`writeAll`) are the systems' data and are not held to it.
 */
export function withPatientPracticeRule(policy: AccessPolicy, principal: Principal): AccessPolicy {
  if (principal.kind !== 'patient' || principal.writeAll) return policy;
  return {
    ...policy,
    checkWrite: async (write, raw) => {
      await policy.checkWrite?.(write, raw);
      if (write.resourceType === 'Patient' && write.after) refuseMove(write);
    },
  };
}

function refuseMove(write: CheckedWrite): void {
  const after = write.after as Record<string, unknown>;
  const before = (write.before ?? {}) as Record<string, unknown>;
  const moved = PRACTICE_FIELDS.filter((f) => !same(after[f], before[f]));
  if (!moved.length) return;
  throw new FhirError(
    403,
    `Your GP practice (${moved.join(', ')}) is changed by the practice you register with, not in your own record / ` +
      `Uw huisartsenpraktijk (${moved.join(', ')}) wordt gewijzigd door de praktijk waar u zich inschrijft, niet in uw eigen dossier`,
    { code: 'forbidden' },
  );
}
