import { BlockList, isIP } from 'node:net';
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
  /**
   * CIDRs (`10.20.0.0/16`, `2001:db8::/48`, or a bare address) the caller's address must be in
   * (ACCESS_BTG_NETWORKS, the seed's "IP-adres met een noodprocedure"); empty: any address.
   */
  networks?: readonly string[];
  hours: number;
}

/**
 * The configured networks as one matcher (IPv4 and IPv6; an IPv4-mapped IPv6 address such as
 * `::ffff:10.0.0.1` matches its IPv4 network). Throws on a malformed entry, naming it, so a typo
 * stops the start instead of silently refusing every post.
 */
export function networkMatcher(networks: readonly string[]): (address: string | undefined) => boolean {
  const list = new BlockList();
  for (const entry of networks) {
    const [address = '', prefix, rest] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const length = prefix === undefined ? bits : /^[0-9]{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (!family || rest !== undefined || !(length >= 0 && length <= bits)) {
      throw new Error(
        `ACCESS_BTG_NETWORKS: '${entry}' is not an IPv4 or IPv6 network (CIDR such as 10.20.0.0/16)`,
      );
    }
    list.addSubnet(address, length, family === 4 ? 'ipv4' : 'ipv6');
  }
  return (address) => {
    if (!address) return false;
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * The login's role at an organisation configured for emergency access (a GP out-of-hours post),
 * or undefined: break-the-glass is for those only. `organizationTypes` are the `system|code`
 * types of the login's organisations. With networks configured, the request must also come
 * from one of them (`fromNetwork`: the caller's address is in ACCESS_BTG_NETWORKS): the post's
 * own network, not a login for the post from anywhere.
 */
export function emergencyRole(
  principal: PractitionerPrincipal,
  config: BreakTheGlassConfig,
  organizationTypes: ReadonlyMap<string, readonly string[]>,
  fromNetwork = true,
): { organizationId: string } | undefined {
  if (!config.organizations.length || !fromNetwork) return undefined;
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
