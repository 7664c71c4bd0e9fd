import { expect } from 'chai';
import { emergencyRole, networkMatcher } from '../../../server/access/rules/break-the-glass.ts';
import type { PractitionerPrincipal } from '../../../server/auth/principal.ts';
import { loadConfig } from '../../../server/config.ts';

describe('break-the-glass by network (ACCESS_BTG_NETWORKS)', () => {
  it('matches IPv4 and IPv6 networks, an IPv4-mapped IPv6 address by its IPv4 network, and bare addresses', () => {
    const inside = networkMatcher(['10.20.0.0/16', '2001:db8:1::/48', '192.0.2.7']);
    expect(inside('10.20.3.4')).to.equal(true);
    expect(inside('::ffff:10.20.3.4')).to.equal(true);
    expect(inside('10.21.0.1')).to.equal(false);
    expect(inside('2001:db8:1:ff::1')).to.equal(true);
    expect(inside('2001:db8:2::1')).to.equal(false);
    expect(inside('192.0.2.7')).to.equal(true);
    expect(inside('192.0.2.8')).to.equal(false);
    expect(inside(undefined)).to.equal(false);
    expect(inside('not an address')).to.equal(false);
  });

  it('refuses a malformed network at the start, naming it', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0/8', 'fd00::/129', 'hap.example', '10.0.0.0/8/1', '10.0.0.0/']) {
      expect(() => loadConfig({ ACCESS_BTG_NETWORKS: `127.0.0.0/8, ${bad}` }), bad).to.throw(bad);
    }
    expect(
      loadConfig({ ACCESS_BTG_NETWORKS: ' 10.0.0.0/8 , ::1 ' }).access.breakTheGlass.networks,
    ).to.deep.equal(['10.0.0.0/8', '::1']);
    expect(loadConfig({}).access.breakTheGlass.networks).to.deep.equal([]);
  });

  it('is needed besides the role and the place, never instead of them', () => {
    const principal: PractitionerPrincipal = {
      kind: 'practitioner',
      practitionerId: 'gp',
      via: 'smart',
      roles: [
        {
          practitionerRoleId: 'r',
          organizationId: 'hap',
          codes: ['urn:oid:2.16.840.1.113883.2.4.15.111|01.015'],
        },
      ],
    };
    const config = { roles: [], organizations: ['Organization/hap'], networks: ['10.0.0.0/8'], hours: 12 };
    expect(emergencyRole(principal, config, new Map(), true)).to.deep.equal({ organizationId: 'hap' });
    expect(emergencyRole(principal, config, new Map(), false)).to.equal(undefined);
    expect(emergencyRole(principal, { ...config, organizations: [] }, new Map(), true)).to.equal(undefined);
  });
});
