import type { Principal } from '../../auth/principal.ts';
import { PRACTICE_STAFF, type PracticeStaffRole } from './vocabulary.ts';

/**
 * The practices (Organization ids) where the caller works as one of `roles`, from the login's
 * PractitionerRoles (resolved fresh for every request; a login for one organisation, only there).
 */
export function staffPractices(
  principal: Principal,
  roles: readonly PracticeStaffRole[] = ['gp', 'physicianAssistant', 'assistant'],
): string[] {
  if (principal.kind !== 'practitioner') return [];
  const wanted = new Set<string>(roles.map((r) => PRACTICE_STAFF[r]));
  const practices = new Set<string>();
  for (const role of principal.roles) {
    if (!role.organizationId || !role.codes.some((c) => wanted.has(c))) continue;
    if (principal.organizationId && principal.organizationId !== role.organizationId) continue;
    practices.add(role.organizationId);
  }
  return [...practices];
}
