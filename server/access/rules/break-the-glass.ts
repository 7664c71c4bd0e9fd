import type { PractitionerPrincipal } from '../../auth/principal.ts';

/** Purpose of use of an emergency access (v3-ActReason). */
export const BREAK_THE_GLASS = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  code: 'BTG',
  display: 'break the glass',
};

export interface BreakTheGlassConfig {
  /** `system|code` role codes; empty: any role at an allowed organisation. */
  roles: readonly string[];
  /** `Organization/<id>` or `system|code` of an Organization.type; empty: break-the-glass is off. */
  organizations: readonly string[];
  hours: number;
}

/**
 * The login's role at an organisation configured for emergency access (a GP out-of-hours post),
 * or undefined: break-the-glass is for those only. `organizationTypes` are the `system|code`
 * types of the login's organisations.
 */
export function emergencyRole(
  principal: PractitionerPrincipal,
  config: BreakTheGlassConfig,
  organizationTypes: ReadonlyMap<string, readonly string[]>,
): { organizationId: string } | undefined {
  if (!config.organizations.length) return undefined;
  for (const role of principal.roles) {
    const org = role.organizationId;
    if (!org) continue;
    const placeAllowed =
      config.organizations.includes(`Organization/${org}`) ||
      (organizationTypes.get(org) ?? []).some((t) => config.organizations.includes(t));
    const roleAllowed = !config.roles.length || role.codes.some((c) => config.roles.includes(c));
    if (placeAllowed && roleAllowed) return { organizationId: org };
  }
  return undefined;
}
