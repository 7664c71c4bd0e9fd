import { expect } from 'chai';
import { useFhirServer } from '../support/client.ts';

import {
  ask,
  entriesOf,
  linkOf,
  matchIdsInOrder,
  modes,
  putAll,
  searchset,
  type Json,
} from '../support/search-fixtures.ts';

import { graph, LOINC } from '../support/search-graph-data.ts';

describe('search over a hand-built graph', function () {
  const env = useFhirServer();
  const get = (path: string, init?: RequestInit) => searchset(env.server, path, init);

  before(async () => {
    await putAll(env.server, graph);
  });

  describe('_include and _revinclude', () => {
    it('_include=Observation:performer adds each performer once, as include', async () => {
      const b = await get('Observation?_id=obs-a1,obs-b1,obs-panel&_include=Observation:performer');
      expect(modes(b)).to.deep.equal({
        match: ['Observation/obs-a1', 'Observation/obs-b1', 'Observation/obs-panel'],
        include: ['Practitioner/prac-jansen', 'PractitionerRole/role-dekker'],
      });
    });

    it('_include with a target type follows only references to that type', async () => {
      const b = await get('Observation?_id=obs-a1,obs-a2,obs-b1&_include=Observation:performer:Practitioner');
      expect(modes(b)).to.deep.equal({
        match: ['Observation/obs-a1', 'Observation/obs-a2', 'Observation/obs-b1'],
        include: ['Practitioner/prac-jansen'],
      });
    });

    it('_include=* follows every reference parameter of the matches', async () => {
      const b = await get('Observation?_id=obs-a1&_include=*');
      expect(modes(b)).to.deep.equal({
        match: ['Observation/obs-a1'],
        include: ['Encounter/enc-a', 'Patient/pat-a', 'Practitioner/prac-jansen'],
      });
    });

    it('a resource that is already a match is not repeated as an include', async () => {
      const b = await get('Observation?_id=obs-panel,obs-a1&_include=Observation:has-member');
      expect(modes(b)).to.deep.equal({
        match: ['Observation/obs-a1', 'Observation/obs-panel'],
        include: ['Observation/obs-a2'],
      });
    });

    it('_revinclude=Provenance:target adds the Provenance of each match', async () => {
      const b = await get('Observation?_id=obs-a1,obs-b1,obs-c1&_revinclude=Provenance:target');
      expect(modes(b)).to.deep.equal({
        match: ['Observation/obs-a1', 'Observation/obs-b1', 'Observation/obs-c1'],
        include: ['Provenance/prov-a1', 'Provenance/prov-b1'],
      });
    });

    it('_revinclude=* adds everything that refers to the matches', async () => {
      const b = await get('Patient?_id=pat-c&_revinclude=*');
      expect(modes(b)).to.deep.equal({
        match: ['Patient/pat-c'],
        include: ['Encounter/enc-c', 'List/list-1', 'Observation/obs-c1', 'Provenance/prov-c1'],
      });
    });

    it('_include and _revinclude together', async () => {
      const b = await get(
        'Practitioner?_id=prac-dekker&_revinclude=PractitionerRole:practitioner&_revinclude=Provenance:agent',
      );
      expect(modes(b)).to.deep.equal({
        match: ['Practitioner/prac-dekker'],
        include: ['PractitionerRole/role-dekker', 'Provenance/prov-b1'],
      });
    });

    it('_include:iterate follows references of included resources (Observation → Patient → GP)', async () => {
      const b = await get(
        'Observation?_id=obs-a1,obs-b1&_include=Observation:subject&_include:iterate=Patient:general-practitioner',
      );
      expect(modes(b)).to.deep.equal({
        match: ['Observation/obs-a1', 'Observation/obs-b1'],
        include: [
          'Patient/pat-a',
          'Patient/pat-b',
          'Practitioner/prac-jansen',
          'PractitionerRole/role-dekker',
        ],
      });
    });

    it('without :iterate the second hop is not taken', async () => {
      const b = await get(
        'Observation?_id=obs-a1,obs-b1&_include=Observation:subject&_include=Patient:general-practitioner',
      );
      expect(modes(b).include).to.deep.equal(['Patient/pat-a', 'Patient/pat-b']);
    });

    it('_include:iterate=Organization:partof climbs two levels', async () => {
      const b = await get(
        'Patient?_id=pat-b&_include=Patient:organization&_include:iterate=Organization:partof',
      );
      expect(modes(b)).to.deep.equal({
        match: ['Patient/pat-b'],
        include: ['Organization/org-prac', 'Organization/org-root', 'Organization/org-team'],
      });
    });

    it('_revinclude:iterate walks down the partOf tree', async () => {
      const b = await get('Organization?_id=org-root&_revinclude:iterate=Organization:partof');
      expect(modes(b)).to.deep.equal({
        match: ['Organization/org-root'],
        include: ['Organization/org-prac', 'Organization/org-team'],
      });
    });

    it('a partOf cycle is followed once and ends without a truncation warning', async () => {
      const b = await get('Organization?_id=org-loop-a&_include:iterate=Organization:partof');
      expect(modes(b)).to.deep.equal({
        match: ['Organization/org-loop-a'],
        include: ['Organization/org-loop-b'],
      });
      expect(entriesOf(b, 'outcome')).to.deep.equal([]);
    });

    it('a hasMember cycle with _include:iterate and _revinclude:iterate includes each resource once', async () => {
      const b = await get(
        'Observation?_id=obs-loop-1&_include:iterate=Observation:has-member&_revinclude:iterate=Observation:has-member',
      );
      expect(b.entry.map((e: Json) => `${e.search.mode} ${e.resource.id}`)).to.deep.equal([
        'match obs-loop-1',
        'include obs-loop-2',
      ]);
    });
  });

  describe('chains', () => {
    it('one level: subject:Patient.name', async () => {
      const b = await get('Observation?subject:Patient.name=alfa');
      expect(entriesOf(b)).to.deep.equal([
        'Observation/obs-a1',
        'Observation/obs-a2',
        'Observation/obs-panel',
      ]);
    });

    it('two levels: subject:Patient.general-practitioner:Practitioner.name', async () => {
      const b = await get('Observation?subject:Patient.general-practitioner:Practitioner.name=Jansen');
      expect(entriesOf(b)).to.deep.equal([
        'Observation/obs-a1',
        'Observation/obs-a2',
        'Observation/obs-panel',
      ]);
    });

    it('two levels, untyped: Encounter?subject.organization.name', async () => {
      expect(entriesOf(await get('Encounter?subject.organization.name=Rijnmond'))).to.deep.equal([
        'Encounter/enc-c',
      ]);
      expect(entriesOf(await get('Encounter?subject.organization.name=Kralingen'))).to.deep.equal([
        'Encounter/enc-a',
      ]);
    });

    it('three levels through a PractitionerRole', async () => {
      const b = await get(
        'Observation?subject:Patient.general-practitioner:PractitionerRole.organization.name=Oost',
      );
      expect(entriesOf(b)).to.deep.equal(['Observation/obs-b1']);
    });

    it('four levels: encounter.subject.organization.partof.name', async () => {
      const b = await get('Observation?encounter.subject.organization.partof.name=Rijnmond');
      // enc-a → pat-a → org-prac → partOf org-root.
      expect(entriesOf(b)).to.deep.equal(['Observation/obs-a1', 'Observation/obs-a2']);
    });

    it('an untyped chain searches every target type that has the parameter', async () => {
      // performer.name: Practitioner "Jansen" and Organization "Jansen Laboratorium".
      const b = await get('Observation?performer.name=jansen');
      expect(entriesOf(b)).to.deep.equal([
        'Observation/obs-a1',
        'Observation/obs-a2',
        'Observation/obs-panel',
      ]);
      // general-practitioner.name: a Practitioner for pat-a, an Organization for pat-c.
      expect(entriesOf(await get('Patient?general-practitioner.name=Jansen,Rijnmond'))).to.deep.equal([
        'Patient/pat-a',
        'Patient/pat-c',
      ]);
    });

    it('a typed chain leaves out references to other types', async () => {
      const b = await get('Observation?performer:Organization.name=jansen');
      expect(entriesOf(b)).to.deep.equal(['Observation/obs-a2']);
    });

    it('chained parameters AND together and modifiers apply to the last link', async () => {
      const b = await get(
        'Patient?general-practitioner:PractitionerRole.practitioner.name:exact=Dekker&organization.name=Oost',
      );
      expect(entriesOf(b)).to.deep.equal(['Patient/pat-b']);
      expect(
        entriesOf(await get('Patient?general-practitioner:PractitionerRole.practitioner.name:exact=dekker')),
      ).to.deep.equal([]);
    });
  });

  describe('_has', () => {
    it('single: Patients with an Observation of a code', async () => {
      const b = await get(`Patient?_has:Observation:subject:code=${LOINC}|8480-6`);
      expect(entriesOf(b)).to.deep.equal(['Patient/pat-a', 'Patient/pat-b']);
    });

    it('with a modifier on the inner parameter', async () => {
      // Patients with some Observation whose code is not 8480-6: pat-b has only 8480-6.
      const b = await get('Patient?_id=pat-a,pat-b,pat-c&_has:Observation:subject:code:not=8480-6');
      expect(entriesOf(b)).to.deep.equal(['Patient/pat-a', 'Patient/pat-c']);
    });

    it('nested: Patients with an Observation that has a Provenance by an agent', async () => {
      const b = await get(
        'Patient?_has:Observation:subject:_has:Provenance:target:agent=Practitioner/prac-jansen',
      );
      expect(entriesOf(b)).to.deep.equal(['Patient/pat-a']);
    });

    it('nested with a type modifier on the innermost parameter', async () => {
      const b = await get(
        'Patient?_has:Observation:subject:_has:Provenance:target:agent:Practitioner=prac-dekker',
      );
      expect(entriesOf(b)).to.deep.equal(['Patient/pat-b']);
    });

    it('_has combined with a chain on the inner parameter', async () => {
      const b = await get('Practitioner?_has:PractitionerRole:practitioner:organization.name=Oost');
      expect(entriesOf(b)).to.deep.equal(['Practitioner/prac-dekker']);
    });

    it('_has finds nothing when no source resource matches', async () => {
      const b = await get('Patient?_has:Observation:subject:code=0000-0');
      expect(entriesOf(b)).to.deep.equal([]);
    });
  });

  describe('_list, compartments, system search, _id', () => {
    it('_list selects the listed resources of the searched type', async () => {
      expect(entriesOf(await get('Patient?_list=list-1'))).to.deep.equal(['Patient/pat-a', 'Patient/pat-c']);
      expect(entriesOf(await get('Observation?_list=list-1'))).to.deep.equal(['Observation/obs-b1']);
      expect(entriesOf(await get('Patient?_list=no-such-list'))).to.deep.equal([]);
    });

    it('Patient/X/Observation: the Observations in the compartment', async () => {
      expect(entriesOf(await get('Patient/pat-a/Observation'))).to.deep.equal([
        'Observation/obs-a1',
        'Observation/obs-a2',
        'Observation/obs-panel',
      ]);
      expect(entriesOf(await get('Patient/pat-a/Observation?code=8462-4'))).to.deep.equal([
        'Observation/obs-a2',
      ]);
    });

    it('Patient/X/*: every resource in the compartment', async () => {
      expect(entriesOf(await get('Patient/pat-a/*'))).to.deep.equal([
        'Encounter/enc-a',
        'Observation/obs-a1',
        'Observation/obs-a2',
        'Observation/obs-panel',
        'Patient/pat-a',
      ]);
      // Provenance is in the compartment of the Patient it targets.
      expect(entriesOf(await get('Patient/pat-c/*'))).to.deep.equal([
        'Encounter/enc-c',
        'Observation/obs-c1',
        'Patient/pat-c',
        'Provenance/prov-c1',
      ]);
    });

    it('Patient/X/* pages through its links: self and next stay compartment searches', async () => {
      const first = await get('Patient/pat-a/*?_count=2');
      expect(new URL(linkOf(first, 'self')!).pathname).to.match(/\/Patient\/pat-a\/\*$/);
      const seen: string[] = [];
      let page: Json | undefined = first;
      for (let n = 0; page && n < 10; n++) {
        seen.push(...entriesOf(page));
        const next = linkOf(page, 'next');
        page = next ? await get(next) : undefined;
      }
      expect(seen.sort()).to.deep.equal([
        'Encounter/enc-a',
        'Observation/obs-a1',
        'Observation/obs-a2',
        'Observation/obs-panel',
        'Patient/pat-a',
      ]);
    });

    it('system search with _type searches only those types', async () => {
      const b = await get('?_type=Patient,Practitioner&_id=pat-a,prac-jansen,org-root');
      expect(entriesOf(b)).to.deep.equal(['Patient/pat-a', 'Practitioner/prac-jansen']);
      const named = await get('?_type=Organization,Practitioner&name=jansen');
      expect(entriesOf(named)).to.deep.equal(['Organization/org-lab', 'Practitioner/prac-jansen']);
    });

    it('a parameter that only some _type types have does not select every resource of the others', async () => {
      // `family` exists for Patient, not for Organization: refusing the search and leaving the
      // Organizations out are both answers; returning every Organization is not.
      const a = await ask(env.server, '?_type=Patient,Organization&family=Alfa');
      if (a.status === 200) expect(entriesOf(a.body)).to.deep.equal(['Patient/pat-a']);
      else expect(a.status).to.equal(400);
    });

    it('_sort on a parameter that all _type types share (family of Patient and Practitioner)', async () => {
      const b = await get('?_type=Patient,Practitioner&_id=pat-a,pat-b,prac-bakker,prac-jansen&_sort=family');
      expect(matchIdsInOrder(b)).to.deep.equal(['pat-a', 'prac-bakker', 'pat-b', 'prac-jansen']);
    });

    it('system search without _type searches every type', async () => {
      const b = await get('?_id=obs-a1,pat-b,org-team');
      expect(entriesOf(b)).to.deep.equal(['Observation/obs-a1', 'Organization/org-team', 'Patient/pat-b']);
    });

    it('_id takes an OR list; repeating _id ANDs', async () => {
      expect(entriesOf(await get('Patient?_id=pat-a,pat-c,no-such-id'))).to.deep.equal([
        'Patient/pat-a',
        'Patient/pat-c',
      ]);
      expect(entriesOf(await get('Patient?_id=pat-a,pat-c&_id=pat-c,pat-b'))).to.deep.equal([
        'Patient/pat-c',
      ]);
    });
  });
});
