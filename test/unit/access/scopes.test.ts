import { expect } from 'chai';
import { createAccessFor } from '../../../server/access/access-for.ts';
import { covers, parseScope, resourceScopes, v2Name } from '../../../server/auth/scope-syntax.ts';
import type { Principal } from '../../../server/auth/principal.ts';
import { createSearchModule } from '../../../server/fhir/search/module.ts';
import type { AccessFacts } from '../../../server/fhir/storage/access-facts.ts';

const lab = {
  resourceType: 'Observation',
  id: 'lab',
  status: 'final',
  category: [
    {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }],
    },
  ],
  code: { text: 'Hb' },
  subject: { reference: 'Patient/p1' },
};
const vital = {
  ...lab,
  id: 'vital',
  category: [
    {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }],
    },
  ],
};
const otherPatientLab = { ...lab, id: 'other', subject: { reference: 'Patient/p2' } };
const condition = { resourceType: 'Condition', id: 'c', subject: { reference: 'Patient/p1' } };
const organization = { resourceType: 'Organization', id: 'o' };

describe('SMART scopes', () => {
  describe('parsing', () => {
    it('reads v2 scopes with their letters, type, context and query', () => {
      const s = parseScope('patient/Observation.rs?category=laboratory')!;
      expect(s.context).to.equal('patient');
      expect(s.resourceType).to.equal('Observation');
      expect([...s.letters]).to.deep.equal(['r', 's']);
      expect(s.query).to.equal('category=laboratory');
      expect(v2Name(parseScope('system/*.cruds')!)).to.equal('system/*.cruds');
    });

    it('reads v1 names as their v2 equivalents', () => {
      expect(v2Name(parseScope('patient/Observation.read')!)).to.equal('patient/Observation.rs');
      expect(v2Name(parseScope('user/*.write')!)).to.equal('user/*.cud');
      expect(v2Name(parseScope('user/Patient.*')!)).to.equal('user/Patient.cruds');
    });

    it('refuses letters out of order or repeated, queries on * or v1 names, and unknown contexts', () => {
      for (const bad of [
        'patient/Observation.sr',
        'patient/Observation.rr',
        'patient/Observation.x',
        'patient/*.rs?category=laboratory',
        'patient/Observation.read?category=laboratory',
        'admin/Observation.rs',
        'patient/observation.rs',
      ]) {
        expect(parseScope(bad), bad).to.equal(undefined);
      }
    });

    it('leaves out scopes that are not resource scopes', () => {
      expect(
        resourceScopes('openid fhirUser launch/patient offline_access patient/Patient.r').map((s) => s.raw),
      ).to.deep.equal(['patient/Patient.r']);
    });

    it('covers: same context, type or *, a superset of letters, no query or the same', () => {
      const p = (s: string) => parseScope(s)!;
      expect(covers(p('system/*.rs'), p('system/Observation.rs?category=laboratory'))).to.equal(true);
      expect(covers(p('system/*.rs'), p('system/Observation.cruds'))).to.equal(false);
      expect(covers(p('system/*.rs'), p('user/Observation.r'))).to.equal(false);
      expect(covers(p('user/Observation.rs?category=laboratory'), p('user/Observation.r'))).to.equal(false);
      expect(
        covers(p('user/Observation.rs?category=laboratory'), p('user/Observation.s?category=laboratory')),
      ).to.equal(true);
    });
  });

  describe('narrowing a policy (in-memory twin)', () => {
    const { engine: search } = createSearchModule();
    // The practitioner is p1's GP, and p1 permits everyone they relate to to see everything:
    // what these tests narrow is the rules' full view of p1.
    const facts: AccessFacts = {
      decide: async (actors) => ({
        epoch: '1',
        until: null,
        actors: [...actors],
        relationships: [{ patientId: 'p1', basis: 'general-practitioner' }],
        consents: [{ patientId: 'p1', decision: 'permit', actor: null, category: null }],
      }),
      organizationTypes: async () => new Map(),
    };
    const accessFor = createAccessFor({ search, facts, read: async () => undefined });
    const practitioner = (scope: string, patientId?: string): Principal => ({
      kind: 'practitioner',
      practitionerId: 'pr',
      roles: [],
      via: 'smart',
      smart: { clientId: 'app', scope, ...(patientId ? { patientId } : {}) },
    });

    it('a category-restricted scope sees only that category, and only reads and searches', async () => {
      const access = await accessFor(practitioner('user/Observation.rs?category=laboratory'));
      expect(access.restricted).to.equal(true);
      expect(access.canSee(lab)).to.equal(true);
      expect(access.canSee(vital)).to.equal(false);
      expect(access.canSee(condition)).to.equal(false);
      expect(access.allows('r', 'Observation')).to.equal(true);
      expect(access.allows('s', 'Observation')).to.equal(true);
      expect(access.allows('c', 'Observation')).to.equal(false);
      expect(access.allows('r', 'Condition')).to.equal(false);
      expect(access.canWrite(lab)).to.equal(false);
    });

    it('patient/ scopes reach only the patient in context, and nothing without one', async () => {
      const access = await accessFor(practitioner('patient/*.rs', 'p1'));
      expect(access.canSee(lab)).to.equal(true);
      expect(access.canSee(condition)).to.equal(true);
      expect(access.canSee(otherPatientLab)).to.equal(false);
      expect(access.canSee(organization), 'shared reference data').to.equal(true);
      const binary = { resourceType: 'Binary', id: 'b', contentType: 'text/plain' };
      expect(access.canSee(binary), "another type's rows of every patient").to.equal(false);
      const none = await accessFor(practitioner('patient/*.rs'));
      expect(none.canSee(lab)).to.equal(false);
      expect(none.allows('r', 'Observation')).to.equal(false);
    });

    it('scopes never widen: a patient with user/*.cruds still sees only their own compartment', async () => {
      const access = await accessFor({
        kind: 'patient',
        patientId: 'p1',
        via: 'smart',
        smart: { clientId: 'app', scope: 'user/*.cruds', patientId: 'p1' },
      });
      expect(access.canSee(lab)).to.equal(true);
      expect(access.canSee(otherPatientLab)).to.equal(false);
    });

    it('a (trusted) backend client uses system/ scopes only; system/*.cruds leaves its policy as it is', async () => {
      const system = (scope: string): Principal => ({
        kind: 'system',
        clientId: 'his',
        trusted: true,
        via: 'smart-backend',
        smart: { clientId: 'his', scope },
      });
      expect((await accessFor(system('system/*.cruds'))).restricted).to.equal(false);
      const userScoped = await accessFor(system('user/*.cruds'));
      expect(userScoped.canSee(lab)).to.equal(false);
      expect(userScoped.allows('r', 'Observation')).to.equal(false);
      const writer = await accessFor(system('system/Observation.c'));
      expect(writer.allows('c', 'Observation')).to.equal(true);
      expect(writer.canWrite(lab)).to.equal(true);
      expect(writer.allows('r', 'Observation')).to.equal(false);
    });

    it('write scopes are judged per letter: a create query is not lifted by an unrestricted update', async () => {
      const access = await accessFor(
        practitioner('user/Observation.c?category=laboratory user/Observation.u'),
      );
      expect(access.canWrite(lab, 'c')).to.equal(true);
      expect(access.canWrite(vital, 'c')).to.equal(false);
      expect(access.canWrite(vital, 'u')).to.equal(true);
      expect(access.canWrite(vital, 'd')).to.equal(false);
    });

    it('a scope query this server cannot evaluate grants nothing', async () => {
      const access = await accessFor(practitioner('user/Observation.rs?no-such-param=1'));
      expect(access.canSee(lab)).to.equal(false);
    });
  });
});
