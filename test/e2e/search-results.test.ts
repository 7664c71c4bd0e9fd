import { expect } from 'chai';
import { useFhirServer } from '../support/client.ts';
import { jsonHeaders } from '../support/harness.ts';
import {
  ask,
  createOne,
  entriesOf,
  linkOf,
  matchIdsInOrder,
  modes,
  putAll,
  searchset,
  type Json,
} from '../support/search-fixtures.ts';

import { graph } from '../support/search-graph-data.ts';

describe('search over a hand-built graph: special and result parameters, the request', function () {
  const env = useFhirServer();
  const get = (path: string, init?: RequestInit) => searchset(env.server, path, init);

  before(async () => {
    await putAll(env.server, graph);
  });

  describe('special parameters', () => {
    it('_lastUpdated ranges select by the version instant', async () => {
      const tag = 'urn:zorgpoort:test|lastupdated';
      const stored: Json[] = [];
      for (const n of [1, 2, 3]) {
        stored.push(
          await createOne(env.server, {
            resourceType: 'Patient',
            meta: { tag: [{ system: 'urn:zorgpoort:test', code: 'lastupdated' }] },
            name: [{ family: `Tijd${n}` }],
          }),
        );
        // Distinct instants, so that each range boundary separates exactly one resource.
        await new Promise((r) => setTimeout(r, 15));
      }
      const [first, second, third] = stored.map((r) => ({
        id: r.id as string,
        at: r.meta.lastUpdated as string,
      }));
      const ids = async (query: string) =>
        entriesOf(await get(`Patient?_tag=${encodeURIComponent(tag)}&${query}`)).map((e) => e.split('/')[1]);
      const sorted = (...xs: string[]) => [...xs].sort();

      expect(await ids(`_lastUpdated=gt${encodeURIComponent(first!.at)}`)).to.deep.equal(
        sorted(second!.id, third!.id),
      );
      expect(await ids(`_lastUpdated=le${encodeURIComponent(first!.at)}`)).to.deep.equal([first!.id]);
      expect(
        await ids(
          `_lastUpdated=ge${encodeURIComponent(second!.at)}&_lastUpdated=lt${encodeURIComponent(third!.at)}`,
        ),
      ).to.deep.equal([second!.id]);
      expect(await ids(`_lastUpdated=eq${encodeURIComponent(third!.at)}`)).to.deep.equal([third!.id]);
      expect(await ids('_lastUpdated=lt2000')).to.deep.equal([]);
      expect(await ids('_lastUpdated=ge2000-01-01')).to.deep.equal(sorted(first!.id, second!.id, third!.id));
    });

    it('_tag, _profile, _security and _source match meta', async () => {
      const ids = async (query: string) => entriesOf(await get(`Patient?${query}`));
      expect(await ids(`_tag=${encodeURIComponent('urn:zorgpoort:test|red')}`)).to.deep.equal([
        'Patient/meta-1',
      ]);
      expect(await ids('_tag=blue')).to.deep.equal(['Patient/meta-2']);
      expect(
        await ids(`_tag:not=${encodeURIComponent('urn:zorgpoort:test|red')}&_id=meta-1,meta-2`),
      ).to.deep.equal(['Patient/meta-2']);
      expect(
        await ids(
          `_profile=${encodeURIComponent('http://nictiz.nl/fhir/StructureDefinition/nl-core-Patient')}`,
        ),
      ).to.deep.equal(['Patient/meta-1']);
      expect(await ids(`_profile:below=${encodeURIComponent('http://hl7.org/fhir/')}`)).to.deep.equal([
        'Patient/meta-2',
      ]);
      expect(
        await ids(
          `_security=${encodeURIComponent('http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R')}`,
        ),
      ).to.deep.equal(['Patient/meta-1']);
      expect(await ids(`_source=${encodeURIComponent('urn:zorgpoort:source:ehr-2')}`)).to.deep.equal([
        'Patient/meta-2',
      ]);
    });

    it('_text searches the narrative, tags stripped', async () => {
      expect(entriesOf(await get('Patient?_text=MOLEN in kinderdijk'))).to.deep.equal(['Patient/text-1']);
      // The street is in the resource but not in any narrative.
      expect(entriesOf(await get('Patient?_text=zwaluwstaart'))).to.deep.equal([]);
    });

    it('_content searches every string of the resource, case-insensitively', async () => {
      expect(entriesOf(await get('Patient?_content=ZWALUWSTAART'))).to.deep.equal(['Patient/text-2']);
      expect(entriesOf(await get('Patient?_content=contactpersoon'))).to.deep.equal(['Patient/text-1']);
      // Regular-expression characters are literal.
      expect(entriesOf(await get(`Patient?_content=${encodeURIComponent('zwaluw.*weg')}`))).to.deep.equal([]);
    });
  });

  describe('result parameters', () => {
    it('_summary=count gives the total and no entries', async () => {
      const b = await get('Patient?_id=pat-a,pat-b,pat-c&_summary=count');
      expect(b.total).to.equal(3);
      expect(b.entry ?? []).to.deep.equal([]);
    });

    it('_summary=true keeps summary elements and marks the resource SUBSETTED', async () => {
      const [e] = (await get('Patient?_id=text-1&_summary=true')).entry;
      const r = e.resource;
      expect(Object.keys(r).sort()).to.deep.equal([
        'birthDate',
        'gender',
        'id',
        'meta',
        'name',
        'resourceType',
      ]);
      expect(r.meta.tag).to.deep.include({
        system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
        code: 'SUBSETTED',
      });
    });

    it('_summary=text keeps the narrative and the mandatory elements only', async () => {
      const [e] = (await get('Patient?_id=text-1&_summary=text')).entry;
      expect(Object.keys(e.resource).sort()).to.deep.equal(['id', 'meta', 'resourceType', 'text']);
    });

    it('_summary=data leaves out only the narrative', async () => {
      const [e] = (await get('Patient?_id=text-1&_summary=data')).entry;
      expect(Object.keys(e.resource).sort()).to.deep.equal([
        'birthDate',
        'contact',
        'gender',
        'id',
        'maritalStatus',
        'meta',
        'name',
        'resourceType',
      ]);
    });

    it('_elements keeps the listed elements (and id, meta)', async () => {
      const b = await get('Patient?_id=text-1&_elements=birthDate,maritalStatus');
      const r = b.entry[0].resource;
      expect(Object.keys(r).sort()).to.deep.equal([
        'birthDate',
        'id',
        'maritalStatus',
        'meta',
        'resourceType',
      ]);
      expect(r.birthDate).to.equal('1960-06-06');
      expect(r.meta.tag.map((t: Json) => t.code)).to.include('SUBSETTED');
    });

    it('_total=accurate counts every match, not the page', async () => {
      const b = await get('Patient?_id=pat-a,pat-b,pat-c&_total=accurate&_count=1');
      expect(b.total).to.equal(3);
      expect(entriesOf(b)).to.have.length(1);
      expect(linkOf(b, 'next')).to.be.a('string');
    });

    it('_total=estimate gives a non-negative whole number', async () => {
      const b = await get('Patient?_id=pat-a,pat-b,pat-c&_total=estimate&_count=1');
      expect(b.total).to.be.a('number');
      expect(Number.isInteger(b.total) && b.total >= 0, `total ${b.total}`).to.equal(true);
    });

    it('without _total, the total is given when one page holds every match, and only then', async () => {
      expect((await get('Patient?_id=pat-a,pat-b,pat-c')).total).to.equal(3);
      expect((await get('Patient?_id=does-not-exist')).total).to.equal(0);
      expect(await get('Patient?_id=pat-a,pat-b,pat-c&_count=2')).to.not.have.property('total');
    });

    it('_total=none leaves Bundle.total out', async () => {
      const b = await get('Patient?_id=pat-a,pat-b,pat-c&_total=none');
      expect(b).to.not.have.property('total');
      expect(entriesOf(b)).to.have.length(3);
    });
  });

  describe('Dutch search parameters on nl-core Patients', () => {
    it('address-postalcode + address-housenumber', async () => {
      const b = await get('Patient?address-postalcode=3015&address-housenumber=230');
      expect(entriesOf(b)).to.deep.equal(['Patient/nl-1']);
      // Postcode with its space, the usual way of writing it.
      const spaced = await get(
        `Patient?address-postalcode=${encodeURIComponent('3015 CE')}&address-housenumber=23`,
      );
      expect(entriesOf(spaced)).to.deep.equal(['Patient/nl-2']);
    });

    it('partner-name + birthdate + gender', async () => {
      const b = await get('Patient?partner-name=Giessen&birthdate=1934-04-28&gender=female');
      expect(entriesOf(b)).to.deep.equal(['Patient/nl-1']);
      expect(entriesOf(await get('Patient?partner-name=giessen'))).to.deep.equal([
        'Patient/nl-1',
        'Patient/nl-3',
        'Patient/nl-4',
      ]);
    });

    it('own-name finds the own surname, not the partner name', async () => {
      expect(entriesOf(await get('Patient?own-name=Giessen'))).to.deep.equal(['Patient/nl-5']);
    });
  });

  describe('the search request', () => {
    it('POST [type]/_search with a form body gives the same answer as GET', async () => {
      const query =
        'general-practitioner.name=Jansen,Rijnmond&_include=Patient:general-practitioner&_sort=family';
      const viaGet = await get(`Patient?${query}`);
      const viaPost = await get('Patient/_search', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: query,
      });
      // Matches in _sort order; the order of includes is not defined.
      const shape = (b: Json) => ({ order: matchIdsInOrder(b), ...modes(b) });
      expect(shape(viaPost)).to.deep.equal(shape(viaGet));
      expect(shape(viaGet)).to.deep.equal({
        order: ['pat-a', 'pat-c'],
        match: ['Patient/pat-a', 'Patient/pat-c'],
        include: ['Organization/org-root', 'Practitioner/prac-jansen'],
      });
    });

    it('POST _search combines URL and body parameters', async () => {
      const b = await get('Patient/_search?_id=pat-a,pat-b', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'gender=female',
      });
      expect(entriesOf(b)).to.deep.equal(['Patient/pat-b']);
    });

    it('Prefer: handling=lenient ignores an unknown parameter and reports it in an outcome entry', async () => {
      const b = await get('Patient?family=Alfa&not-a-parameter=1', {
        headers: { Prefer: 'handling=lenient' },
      });
      expect(entriesOf(b)).to.deep.equal(['Patient/pat-a']);
      const outcomes = b.entry.filter((e: Json) => e.search.mode === 'outcome');
      expect(outcomes).to.have.length(1);
      expect(outcomes[0].resource.resourceType).to.equal('OperationOutcome');
      expect(outcomes[0].resource.issue[0].severity).to.equal('warning');
      expect(outcomes[0].resource.issue[0].diagnostics).to.include('not-a-parameter');
    });

    it('an unknown parameter is refused with 400, by default and with Prefer: handling=strict', async () => {
      for (const headers of [{}, { Prefer: 'handling=strict' }] as Record<string, string>[]) {
        const a = await ask(env.server, 'Patient?family=Alfa&not-a-parameter=1', { headers });
        expect(a.status).to.equal(400);
        expect(a.body.resourceType).to.equal('OperationOutcome');
        expect(a.body.issue[0].diagnostics).to.include('not-a-parameter');
      }
    });

    it('the self link shows the applied parameters only', async () => {
      const b = await get('Patient?family=Alfa&not-a-parameter=1&_count=5', {
        headers: { Prefer: 'handling=lenient' },
      });
      const self = new URL(linkOf(b, 'self')!);
      expect(self.pathname.endsWith('/Patient')).to.equal(true);
      expect([...self.searchParams]).to.deep.equal([
        ['family', 'Alfa'],
        ['_count', '5'],
      ]);
    });
  });

  describe('conditional interactions with search criteria', () => {
    it('conditional create on family + birthdate creates once, then finds the existing one', async () => {
      const body = JSON.stringify({
        resourceType: 'Patient',
        name: [{ family: 'Voorwaarde' }],
        birthDate: '1991-09-09',
      });
      const headers = jsonHeaders({ 'If-None-Exist': 'family=Voorwaarde&birthdate=1991-09-09' });
      const first = await env.server.fetch('Patient', { method: 'POST', headers, body });
      expect(first.status).to.equal(201);
      const id = first.headers.get('location')!.split('/Patient/')[1]!.split('/')[0];
      const second = await env.server.fetch('Patient', { method: 'POST', headers, body });
      expect(second.status).to.equal(200);
      expect(((await second.json()) as Json).id).to.equal(id);
      expect(entriesOf(await get('Patient?family=Voorwaarde'))).to.deep.equal([`Patient/${id}`]);
    });

    it('conditional update on family + birthdate updates the match, or creates without one', async () => {
      const created = await createOne(env.server, {
        resourceType: 'Patient',
        name: [{ family: 'Bijwerken' }],
        birthDate: '1992-10-10',
      });
      const put = await env.server.fetch('Patient?family=Bijwerken&birthdate=1992-10-10', {
        method: 'PUT',
        headers: jsonHeaders({ Prefer: 'return=representation' }),
        body: JSON.stringify({
          resourceType: 'Patient',
          name: [{ family: 'Bijwerken' }],
          birthDate: '1992-10-10',
          gender: 'other',
        }),
      });
      expect(put.status).to.equal(200);
      const updated = (await put.json()) as Json;
      expect(updated.id).to.equal(created.id);
      expect(updated.meta.versionId).to.equal('2');
      expect(updated.gender).to.equal('other');

      const miss = await env.server.fetch('Patient?family=Bijwerken&birthdate=1993-11-11', {
        method: 'PUT',
        headers: jsonHeaders(),
        body: JSON.stringify({
          resourceType: 'Patient',
          name: [{ family: 'Bijwerken' }],
          birthDate: '1993-11-11',
        }),
      });
      expect(miss.status).to.equal(201);
      expect(entriesOf(await get('Patient?family=Bijwerken'))).to.have.length(2);
    });

    it('a conditional reference resolves against a Patient POSTed in the same transaction', async () => {
      const res = await env.server.fetch('', {
        method: 'POST',
        headers: jsonHeaders(),
        body: JSON.stringify({
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            {
              fullUrl: 'urn:uuid:9d4f9a60-3b1c-4e0c-9a55-6f2f0a4b7c11',
              resource: {
                resourceType: 'Patient',
                name: [{ family: 'Transactie' }],
                birthDate: '1985-03-03',
              },
              request: { method: 'POST', url: 'Patient' },
            },
            {
              resource: {
                resourceType: 'Observation',
                status: 'final',
                code: { text: 'gewicht' },
                subject: { reference: 'Patient?family=Transactie&birthdate=1985-03-03' },
              },
              request: { method: 'POST', url: 'Observation' },
            },
          ],
        }),
      });
      const body = (await res.json()) as Json;
      expect(res.status, JSON.stringify(body).slice(0, 600)).to.equal(200);
      const patientId = String(body.entry[0].response.location).split('/Patient/')[1]!.split('/')[0];
      const obsId = String(body.entry[1].response.location).split('/Observation/')[1]!.split('/')[0];
      const obs = (await ask(env.server, `Observation/${obsId}`)).body;
      expect(obs.subject.reference).to.equal(`Patient/${patientId}`);
      expect(entriesOf(await get(`Observation?subject:Patient.family=Transactie`))).to.deep.equal([
        `Observation/${obsId}`,
      ]);
    });
  });
});
