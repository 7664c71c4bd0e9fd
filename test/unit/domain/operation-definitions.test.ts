import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { collectiveRoutes } from '../../../server/domain/collective/routes.ts';
import { referralRoutes } from '../../../server/domain/referral/routes.ts';
import { accountRoutes } from '../../../server/domain/referral/account-routes.ts';
import { hospitalRoutes } from '../../../server/domain/hospital/routes.ts';
import { hl7LogRoutes } from '../../../server/hl7v2/routes.ts';
import { practiceRoutes } from '../../../server/domain/practice/routes.ts';

const dir = new URL('../../../profiles/operations/', import.meta.url);

describe('OperationDefinitions: one per operation, matching its route', () => {
  const files = new Map(
    readdirSync(dir).map((f) => {
      const d = JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Record<string, any>;
      return [d.url as string, d];
    }),
  );

  it('every domain and HL7 v2 operation has its definition, with the route’s code, type and level', () => {
    const routes = [
      ...collectiveRoutes({} as never),
      ...referralRoutes({} as never),
      ...accountRoutes({} as never),
      ...hospitalRoutes({} as never),
      ...hl7LogRoutes({} as never),
      ...hospitalRoutes({} as never),
      ...practiceRoutes({ config: { enabled: true } } as never),
    ];
    expect(routes.length).to.be.greaterThan(18);
    // The levels each definition is routed at (an operation may be both type and instance level).
    const levels = new Map<string, Set<string>>();
    for (const route of routes) {
      const d = files.get(route.definition!);
      expect(d, route.definition).to.not.equal(undefined);
      expect(`$${d!.code}`).to.equal(route.interaction);
      expect(d!.resource).to.deep.equal(route.types);
      levels.set(d!.id, (levels.get(d!.id) ?? new Set()).add(route.level));
      expect(d!.url).to.equal(`https://zorgpoort.nl/fhir/OperationDefinition/${d!.id}`);
      // A route by GET must be one that changes nothing.
      if (route.method === 'GET') expect(d!.affectsState, d!.id).to.equal(false);
    }
    for (const [id, routed] of levels) {
      const d = [...files.values()].find((x) => x.id === id)!;
      expect(d.instance, id).to.equal(routed.has('instance'));
      expect(d.type, id).to.equal(routed.has('type'));
      expect(d.system, id).to.equal(routed.has('system'));
    }
  });
});
