import { expect } from 'chai';
import { withAccessFacts } from '../../server/access/facts/index-facts.ts';
import { UZI_PERSON_SYSTEM } from '../../server/auth/find-by-identifier.ts';
import { createPersonResolver } from '../../server/auth/resolve-person.ts';
import { FhirError } from '../../server/fhir/errors.ts';
import { createSearchModule } from '../../server/fhir/search/module.ts';
import { createDatabase, type Database } from '../../server/fhir/storage/database.ts';
import { ResourceStore } from '../../server/fhir/storage/resource-store.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/harness.ts';

const FN = 'https://zorgpoort.nl/fhir/CodeSystem/referral-function';

/**
 * The login resolver and deactivation (seed 003): a deactivated account (`Practitioner.active`
 * false) logs in by no means, and an inactive PractitionerRole is in no login's roles.
 */
describe('person resolver: deactivated accounts and functions', () => {
  let throwaway: ThrowawayDatabase | undefined;
  let db: Database;
  let persons: ReturnType<typeof createPersonResolver>;

  before(async () => {
    const adminUrl = process.env.DATABASE_URL;
    throwaway = adminUrl ? await createThrowawayDatabase(adminUrl) : undefined;
    db = createDatabase({ databaseUrl: throwaway?.url, pgliteDataDir: 'memory://' });
    await db.migrate();
    const { indexer, engine: search } = createSearchModule();
    const store = new ResourceStore(db.knex, withAccessFacts(indexer));
    const role = (id: string, person: string, code: string, active: boolean) => ({
      resourceType: 'PractitionerRole',
      id,
      resource: {
        resourceType: 'PractitionerRole',
        id,
        active,
        practitioner: { reference: `Practitioner/${person}` },
        organization: { reference: 'Organization/zkh' },
        code: [{ coding: [{ system: FN, code }] }],
      },
    });
    const practitioner = (id: string, uzi: string, active: boolean) => ({
      resourceType: 'Practitioner',
      id,
      resource: {
        resourceType: 'Practitioner',
        id,
        active,
        identifier: [{ system: UZI_PERSON_SYSTEM, value: uzi }],
      },
    });
    await store.insertNew([
      { resourceType: 'Organization', id: 'zkh', resource: { resourceType: 'Organization', id: 'zkh' } },
      practitioner('on', '900000001', true),
      practitioner('off', '900000002', false),
      role('on-gp', 'on', 'gp', true),
      role('on-reports', 'on', 'admin-reports', false),
      role('off-gp', 'off', 'gp', true),
    ]);
    persons = createPersonResolver({ store, search });
  });

  after(async () => {
    await db?.close();
    await throwaway?.drop();
  });

  it('an active account logs in with its active functions only', async () => {
    const byCard = await persons.fromIdentity(
      { kind: 'caregiver', uziNumber: '900000001' },
      'uzi-certificate',
    );
    expect(byCard.kind).to.equal('practitioner');
    const roles = byCard.kind === 'practitioner' ? byCard.roles.map((r) => r.practitionerRoleId) : [];
    expect(roles).to.deep.equal(['on-gp']);
    const byToken = await persons.fromReference('Practitioner/on', 'smart');
    expect(byToken.kind === 'practitioner' && byToken.roles.map((r) => r.practitionerRoleId)).to.deep.equal([
      'on-gp',
    ]);
  });

  it('a deactivated account is refused by identity (UZI, SAML) and by reference (a token, a password login)', async () => {
    for (const attempt of [
      () => persons.fromIdentity({ kind: 'caregiver', uziNumber: '900000002' }, 'uzi-certificate'),
      () => persons.fromReference('Practitioner/off', 'smart'),
    ]) {
      const err = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(FhirError);
      expect((err as FhirError).status).to.equal(403);
      expect((err as FhirError).message).to.contain('deactivated');
    }
  });
});
