import { expect } from 'chai';
import { referralsSeed } from '../../seed/data/referrals/index.ts';
import { callAs, startTestServer, type TestServer } from '../support/harness.ts';
import { personToken } from '../support/smart-flow.ts';

type Json = Record<string, any>;

const CQ = 'https://zorgpoort.nl/fhir/CodeSystem/care-question';
const FN = 'https://zorgpoort.nl/fhir/CodeSystem/referral-function';
const QUESTIONNAIRE_EXT = 'https://zorgpoort.nl/fhir/StructureDefinition/offering-questionnaire';

const transaction = (resources: Json[]) => ({
  resourceType: 'Bundle',
  type: 'transaction',
  entry: resources.map((resource) => ({
    resource,
    request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
  })),
});
const matched = (bundle: Json) =>
  (bundle.entry ?? [])
    .filter((e: Json) => e.search?.mode === 'match')
    .map((e: Json) => e.resource.id as string);
const included = (bundle: Json) =>
  (bundle.entry ?? [])
    .filter((e: Json) => e.search?.mode === 'include')
    .map((e: Json) => `${e.resource.resourceType}/${e.resource.id}`);
const diagnostics = (body: Json) => (body.issue ?? []).map((i: Json) => i.diagnostics).join(' ');

/**
 * The care catalogue (seed 003) through real HTTP as the seed's people, with real tokens:
 * `HealthcareService/$catalogue` filters by care question (and the questions below it), ICPC
 * and patient data, with the filters off, by free text and kind; and only the admins whose
 * function covers an offering's organisation and cluster manage it and its questionnaire.
 */
describe('care catalogue: HealthcareService/$catalogue and who manages it', function () {
  this.timeout(120_000);
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const call = callAs(() => server, tokens);
  const catalogue = async (query: string, as = 'gp', language = 'en') => {
    const res = await call(`HealthcareService/$catalogue?${query}`, as, {
      headers: { 'accept-language': language },
    });
    expect(res.status, `${query}: ${JSON.stringify(res.body).slice(0, 400)}`).to.equal(200);
    return res.body;
  };
  const ids = async (query: string, as = 'gp') => matched(await catalogue(query, as)).sort();
  const asTrusted = async (path: string, init: RequestInit) => {
    const res = await server.fetch(path, {
      ...init,
      headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as Json };
  };
  const read = async (path: string) => (await asTrusted(path, { method: 'GET' })).body;
  const put = (as: string, resource: Json) =>
    call(`${resource.resourceType}/${resource.id}`, as, { method: 'PUT', body: JSON.stringify(resource) });

  before(async () => {
    server = await startTestServer({}, { config: { smart: { devLogin: true, cookieKeys: [] } } });
    for (const part of referralsSeed()) {
      const res = await asTrusted('', { method: 'POST', body: JSON.stringify(transaction(part.resources)) });
      expect(res.status, `${part.name}: ${JSON.stringify(res.body).slice(0, 400)}`).to.equal(200);
    }
    const people = {
      gp: 'ref-huisarts-de-vries',
      cardio: 'ref-zo-beheer-cardiologie',
      ortho: 'ref-zo-beheer-orthopedie',
      reports: 'ref-zo-beheer-rapportages',
      lab: 'ref-dcn-beheer',
      cardiologist: 'ref-zo-cardioloog',
    };
    for (const [key, id] of Object.entries(people))
      tokens[key] = await personToken(server, `Practitioner/${id}`);
  });
  after(() => server?.close());

  describe('browsing', () => {
    it('by ICPC code: the code, its three-character code and the codes below it', async () => {
      expect(await ids('icpc=L15')).to.deep.equal(['ref-zo-knie']);
      expect(await ids('icpc=K04')).to.deep.equal([
        'ref-dcn-ecg',
        'ref-zo-kindercardiologie',
        'ref-zo-ritme',
      ]);
      expect(await ids('icpc=http://hl7.org/fhir/sid/icpc-1-nl|T90.02'), 'offered for T90').to.deep.equal([
        'ref-dcn-bloed',
      ]);
      expect(await ids('icpc=D12')).to.deep.equal([]);
    });

    it('by care question, a specialism finding every question below it, never an inactive offering', async () => {
      expect(await ids('care-question=cardiologie.pijn-op-de-borst')).to.deep.equal([
        'ref-zo-kindercardiologie',
        'ref-zo-pob',
      ]);
      expect(await ids(`care-question=${encodeURIComponent(`${CQ}|cardiologie`)}`)).to.deep.equal([
        'ref-zo-hartfalen',
        'ref-zo-kindercardiologie',
        'ref-zo-pob',
        'ref-zo-ritme',
      ]);
      expect(await ids('care-question=diagnostiek')).to.deep.equal([
        'ref-dcn-bloed',
        'ref-dcn-ecg',
        'ref-dcn-spirometrie',
        'ref-dcn-urine',
      ]);
      const all = await ids('filters=off&_count=200');
      expect(all).to.include('ref-zo-knie').and.not.include('ref-zo-pob-oud');
    });

    it("by the patient's age and gender, read from a Patient the caller may see or given", async () => {
      // Sanne (born 2016, female) is a child: only children's cardiology; Gerrit (1958, male) an adult.
      expect(await ids('care-question=cardiologie&patient=Patient/ref-patient-sanne-jansen')).to.deep.equal([
        'ref-zo-kindercardiologie',
      ]);
      expect(await ids('care-question=cardiologie&patient=ref-patient-gerrit-jansen')).to.deep.equal([
        'ref-zo-hartfalen',
        'ref-zo-pob',
        'ref-zo-ritme',
      ]);
      expect(await ids('care-question=verloskunde&age=30&gender=male')).to.deep.equal([]);
      expect(await ids('care-question=verloskunde&age=30&gender=female')).to.deep.equal([
        'ref-zo-zwangerschap',
      ]);
      expect(await ids('care-question=verloskunde&age=56&gender=female'), 'maxAge 55').to.deep.equal([]);
      expect(await ids('care-question=cardiologie&age=17'), 'maxAge 17 is inclusive').to.deep.equal([
        'ref-zo-kindercardiologie',
        'ref-zo-ritme',
      ]);
      const post = await call('HealthcareService/$catalogue', 'gp', {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'Parameters',
          parameter: [
            { name: 'icpc', valueCode: 'K04' },
            { name: 'patient', valueReference: { reference: 'Patient/ref-patient-sanne-jansen' } },
          ],
        }),
      });
      expect(post.status).to.equal(200);
      expect(matched(post.body).sort()).to.deep.equal(['ref-dcn-ecg', 'ref-zo-kindercardiologie']);
    });

    it("the use of a patient's age and gender is in their access log", async () => {
      await catalogue('icpc=L15&patient=Patient/ref-patient-gerrit-jansen');
      const own = await personToken(
        server,
        'Patient/ref-patient-gerrit-jansen',
        'openid fhirUser patient/*.rs',
      );
      const log = await call('AuditEvent?patient=Patient/ref-patient-gerrit-jansen&subtype=$catalogue', own);
      expect(log.status).to.equal(200);
      const events = (log.body.entry ?? []).map((e: Json) => e.resource);
      expect(
        events.some((e: Json) =>
          e.agent.some((a: Json) => a.who?.reference === 'Practitioner/ref-huisarts-de-vries'),
        ),
      ).to.equal(true);
    });

    it('with the filters off (the "kruisje"): care question, ICPC and patient no longer filter', async () => {
      const off = await ids(
        'care-question=cardiologie&icpc=K77&patient=Patient/ref-patient-sanne-jansen&filters=off',
      );
      expect(off).to.include.members(['ref-zo-pob', 'ref-zo-knie', 'ref-zo-zwangerschap', 'ref-dcn-bloed']);
      expect(off).to.not.include('ref-zo-pob-oud');
      expect(await ids('filters=off&kind=diagnostics&_text=bloed')).to.deep.equal(['ref-dcn-bloed']);
    });

    it('by free text: names, comments, details, care questions and the provider, case and accents ignored', async () => {
      expect(await ids('_text=hartfalen')).to.deep.equal(['ref-zo-hartfalen']);
      expect(await ids('_text=EEN%20werkdag'), 'details: "binnen één werkdag"').to.deep.equal([
        'ref-dcn-bloed',
      ]);
      expect(await ids('_text=prikpost')).to.deep.equal(['ref-dcn-bloed']);
      expect(await ids('_text=noord'), "the provider's name").to.deep.equal([
        'ref-dcn-bloed',
        'ref-dcn-ecg',
        'ref-dcn-spirometrie',
        'ref-dcn-urine',
      ]);
      expect(await ids('_text=orthopedie'), 'the specialism above the care question').to.deep.equal([
        'ref-zo-heup',
        'ref-zo-knie',
        'ref-zo-rug',
      ]);
      expect(await ids('_text=oost%20knie'), 'every word').to.deep.equal(['ref-zo-knie']);
      expect(await ids('_text=vervallen'), 'an inactive offering stays hidden').to.deep.equal([]);
    });

    it('by kind, with provider, location and questionnaire included, ordered by provider and name', async () => {
      const diagnostics = await catalogue('kind=diagnostics');
      expect(matched(diagnostics)).to.deep.equal([
        'ref-dcn-bloed',
        'ref-dcn-ecg',
        'ref-dcn-spirometrie',
        'ref-dcn-urine',
      ]);
      expect(included(diagnostics)).to.include.members([
        'Organization/ref-diagnostiek-noord',
        'Location/ref-loc-dcn-zwolle',
        'Location/ref-loc-dcn-prikpost-kampen',
        'Questionnaire/ref-vragen-bloedonderzoek',
      ]);
      const referrals = await catalogue('kind=referral&care-question=cardiologie.pijn-op-de-borst');
      expect(included(referrals)).to.include.members([
        'Organization/ref-ziekenhuis-oost',
        'Location/ref-loc-zo-deventer',
        'Questionnaire/ref-vragen-pijn-op-de-borst',
      ]);
      const questionnaire = referrals.entry.find(
        (e: Json) => e.resource.resourceType === 'Questionnaire',
      ).resource;
      expect(questionnaire.item.map((i: Json) => `${i.type}:${i.required}`)).to.deep.equal([
        'boolean:true',
        'choice:true',
        'date:false',
        'text:false',
      ]);
      const everything = await catalogue('filters=off');
      const order = matched(everything);
      expect(order.indexOf('ref-dcn-urine'), 'Diagnostisch … before Ziekenhuis …').to.be.lessThan(
        order.indexOf('ref-zo-hartfalen'),
      );
      expect(order.indexOf('ref-zo-hartfalen')).to.be.lessThan(order.indexOf('ref-zo-knie'));
      const limited = await catalogue('filters=off&_count=3');
      expect(matched(limited)).to.have.length(3);
      expect(limited.entry.some((e: Json) => e.search.mode === 'outcome')).to.equal(true);
    });

    it('plain searches on offerings work too: specialty, organization, active, name, cluster, eligibility', async () => {
      const search = async (query: string) => {
        const res = await call(`HealthcareService?${query}&_count=100`, 'gp');
        expect(res.status, query).to.equal(200);
        return matched(res.body).sort();
      };
      expect(
        await search(`specialty=${encodeURIComponent('urn:oid:2.16.840.1.113883.2.4.6.7|0305')}`),
      ).to.deep.equal(['ref-zo-heup', 'ref-zo-knie', 'ref-zo-rug']);
      expect(await search('cluster=Organization/ref-zo-orthopedie&name=knie')).to.deep.equal(['ref-zo-knie']);
      expect(
        await search('organization=Organization/ref-diagnostiek-noord&offering-min-age=ge6'),
      ).to.deep.equal(['ref-dcn-spirometrie']);
      expect(await search('active=false')).to.deep.equal(['ref-zo-pob-oud']);
      expect(await search('offering-gender=female')).to.deep.equal(['ref-zo-zwangerschap']);
      expect(
        await search(
          `offering-questionnaire=${encodeURIComponent('https://zorgpoort.nl/fhir/Questionnaire/ref-vragen-knieklachten')}`,
        ),
      ).to.deep.equal(['ref-zo-knie']);
      expect(
        await search(
          `service-category=${encodeURIComponent('https://zorgpoort.nl/fhir/CodeSystem/offering-kind|diagnostics')}&characteristic=K04`,
        ),
      ).to.deep.equal(['ref-dcn-ecg']);
    });

    it('refuses bad input with a message in the caller’s language', async () => {
      const bad = async (query: string, status: number, language: string, words: RegExp) => {
        const res = await call(`HealthcareService/$catalogue?${query}`, 'gp', {
          headers: { 'accept-language': language },
        });
        expect(res.status, query).to.equal(status);
        expect(res.body.resourceType).to.equal('OperationOutcome');
        expect(diagnostics(res.body), query).to.match(words);
      };
      await bad('care-question=kardiologie', 400, 'nl', /Onbekende zorgvraag 'kardiologie'/);
      await bad('care-question=kardiologie', 400, 'en', /Unknown care question 'kardiologie'/);
      await bad('age=veertig', 400, 'en', /whole years/);
      await bad('age=-1', 400, 'nl', /hele jaren/);
      await bad('gender=man', 400, 'en', /administrative gender/);
      await bad('icpc=hart', 400, 'nl', /geen ICPC-1 NL-code/);
      await bad('kind=consult', 400, 'en', /referral or diagnostics/);
      await bad('filters=nee', 400, 'en', /on or off/);
      await bad('zorgvraag=cardiologie', 400, 'nl', /Onbekende parameter 'zorgvraag'/);
      await bad('patient=Patient/ref-patient-sanne-jansen&age=9', 400, 'en', /either 'patient' or 'age'/);
      await bad('_count=0', 400, 'en', /_count/);
      await bad('patient=Patient/nobody', 404, 'en', /not known/);
    });

    it('answers a patient the caller may not see exactly as a missing one', async () => {
      const hidden = await call(
        'HealthcareService/$catalogue?patient=Patient/ref-patient-gerrit-jansen',
        'cardiologist',
      );
      const missing = await call(
        'HealthcareService/$catalogue?patient=Patient/ref-patient-gerrit-jansex',
        'cardiologist',
      );
      expect(hidden.status).to.equal(404);
      expect(missing.status).to.equal(404);
      expect(diagnostics(hidden.body).replace('jansen', '')).to.equal(
        diagnostics(missing.body).replace('jansex', ''),
      );
      expect(
        (await call('HealthcareService/$catalogue?care-question=cardiologie', 'cardiologist')).status,
      ).to.equal(200);
    });

    it('needs credentials', async () => {
      const res = await server.fetchBare('HealthcareService/$catalogue', {
        headers: { accept: 'application/fhir+json' },
      });
      expect(res.status).to.equal(401);
    });
  });

  describe('managing the catalogue', () => {
    const offering = async (id: string) => {
      const r = await read(`HealthcareService/${id}`);
      delete r.meta;
      return r;
    };
    const forbidden = async (res: { status: number; body: Json }, needs = /admin-care-products/) => {
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).to.equal(403);
      expect(diagnostics(res.body)).to.match(needs);
    };

    it('the admin whose function covers the cluster changes an offering; one of another cluster, a GP, or another function may not', async () => {
      const hartfalen = await offering('ref-zo-hartfalen');
      const changed = { ...hartfalen, comment: 'Nu ook op woensdag.' };
      const ok = await put('cardio', changed);
      expect(ok.status, JSON.stringify(ok.body).slice(0, 300)).to.equal(200);
      expect((await read('HealthcareService/ref-zo-hartfalen')).comment).to.equal('Nu ook op woensdag.');
      await forbidden(await put('ortho', { ...hartfalen, comment: 'x' }));
      await forbidden(await put('gp', { ...hartfalen, comment: 'x' }));
      await forbidden(await put('reports', { ...hartfalen, comment: 'x' }));
      expect((await read('HealthcareService/ref-zo-hartfalen')).comment).to.equal('Nu ook op woensdag.');
      await forbidden(await call('HealthcareService/ref-zo-knie', 'cardio', { method: 'DELETE' }));
      expect((await read('HealthcareService/ref-zo-knie')).id).to.equal('ref-zo-knie');
    });

    it('an offering cannot be moved out of the admin’s cluster or organisation', async () => {
      const ritme = await offering('ref-zo-ritme');
      const moved = {
        ...ritme,
        extension: [
          {
            url: 'https://zorgpoort.nl/fhir/StructureDefinition/cluster',
            valueReference: { reference: 'Organization/ref-zo-orthopedie' },
          },
        ],
      };
      await forbidden(await put('cardio', moved));
      await forbidden(
        await put('cardio', { ...ritme, providedBy: { reference: 'Organization/ref-diagnostiek-noord' } }),
      );
    });

    it('creates in its own cluster; an admin of the whole organisation anywhere in it, nowhere else', async () => {
      const fresh = (provider: string, cluster?: string) => ({
        resourceType: 'HealthcareService',
        active: true,
        providedBy: { reference: `Organization/${provider}` },
        ...(cluster
          ? {
              extension: [
                {
                  url: 'https://zorgpoort.nl/fhir/StructureDefinition/cluster',
                  valueReference: { reference: `Organization/${cluster}` },
                },
              ],
            }
          : {}),
        name: 'Nieuw aanbod',
        characteristic: [{ coding: [{ system: CQ, code: 'cardiologie.hypertensie' }] }],
      });
      const post = (as: string, body: Json) =>
        call('HealthcareService', as, { method: 'POST', body: JSON.stringify(body) });
      expect((await post('cardio', fresh('ref-ziekenhuis-oost', 'ref-zo-cardiologie'))).status).to.equal(201);
      await forbidden(await post('cardio', fresh('ref-ziekenhuis-oost')));
      await forbidden(await post('ortho', fresh('ref-ziekenhuis-oost', 'ref-zo-cardiologie')));
      expect((await post('lab', fresh('ref-diagnostiek-noord'))).status).to.equal(201);
      await forbidden(
        await post('lab', fresh('ref-ziekenhuis-oost', 'ref-zo-cardiologie')),
        /admin-basic-care-products/,
      );
      expect(await ids('_text=nieuw%20aanbod&filters=off')).to.have.length(2);
    });

    it('refuses an offering with catalogue data that is wrong (400), whoever writes it', async () => {
      const pob = await offering('ref-zo-pob');
      const wrong = { ...pob, characteristic: [{ coding: [{ system: CQ, code: 'kardiologie' }] }] };
      const res = await put('cardio', wrong);
      expect(res.status).to.equal(400);
      expect(diagnostics(res.body)).to.contain("Unknown care question 'kardiologie'");
      const trusted = await asTrusted('HealthcareService/ref-zo-pob', {
        method: 'PUT',
        body: JSON.stringify({
          ...pob,
          extension: [
            {
              url: 'https://zorgpoort.nl/fhir/StructureDefinition/offering-eligibility',
              extension: [{ url: 'minAge', valueString: 'achttien' }],
            },
          ],
        }),
      });
      expect(trusted.status).to.equal(400);
      expect(diagnostics(trusted.body)).to.contain('valueInteger');
    });

    it("an offering's questionnaire is changed only by those who manage its offerings; an unused one is anyone's", async () => {
      const q = await read('Questionnaire/ref-vragen-pijn-op-de-borst');
      delete q.meta;
      const ok = await put('cardio', { ...q, title: 'Vragen bij pijn op de borst (herzien)' });
      expect(ok.status, JSON.stringify(ok.body).slice(0, 300)).to.equal(200);
      await forbidden(await put('ortho', { ...q, title: 'x' }));
      await forbidden(await put('gp', { ...q, title: 'x' }));
      await forbidden(
        await call('Questionnaire/ref-vragen-pijn-op-de-borst', 'reports', { method: 'DELETE' }),
      );
      // A second Questionnaire with the knee offering's url would take its place for referrers.
      const knee = await read('Questionnaire/ref-vragen-knieklachten');
      const copy = { resourceType: 'Questionnaire', status: 'active', url: knee.url, item: [] };
      for (const [language, words] of [
        ['en', /already has the url .*choose another url/],
        ['nl', /heeft de url .* al.*kies een andere url/],
      ] as const) {
        const twin = await call('Questionnaire', 'gp', {
          method: 'POST',
          body: JSON.stringify(copy),
          headers: { 'accept-language': language },
        });
        expect(twin.status, JSON.stringify(twin.body).slice(0, 300)).to.equal(409);
        expect(diagnostics(twin.body)).to.contain('Questionnaire/ref-vragen-knieklachten').and.match(words);
      }
      expect((await read(`Questionnaire?url=${encodeURIComponent(knee.url)}`)).total).to.equal(1);
      const unused = {
        resourceType: 'Questionnaire',
        status: 'active',
        title: 'Eigen vragenlijst',
        item: [{ linkId: '1', text: 'Hoe gaat het?', type: 'string' }],
      };
      expect(
        (await call('Questionnaire', 'gp', { method: 'POST', body: JSON.stringify(unused) })).status,
      ).to.equal(201);
      // A new questionnaire for an own offering: created, then the offering names it.
      const created = await call('Questionnaire', 'ortho', {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'Questionnaire',
          status: 'active',
          url: 'https://zorgpoort.nl/fhir/Questionnaire/ref-vragen-heup',
          item: [{ linkId: 'pijn', text: 'Nachtelijke pijn?', type: 'boolean', required: true }],
        }),
      });
      expect(created.status).to.equal(201);
      const heup = await offering('ref-zo-heup');
      heup.extension = [
        ...heup.extension,
        { url: QUESTIONNAIRE_EXT, valueCanonical: 'https://zorgpoort.nl/fhir/Questionnaire/ref-vragen-heup' },
      ];
      expect((await put('ortho', heup)).status).to.equal(200);
      await forbidden(await put('cardio', { ...created.body, title: 'x' }));
      expect(included(await catalogue('icpc=L89'))).to.include(`Questionnaire/${created.body.id}`);
    });

    it("an admin cannot name another organisation's questionnaire in an offering, so that organisation keeps managing it", async () => {
      const post = (as: string, body: Json) =>
        call(body.resourceType as string, as, { method: 'POST', body: JSON.stringify(body) });
      const naming = (url: string, provider: string, cluster?: string) => ({
        resourceType: 'HealthcareService',
        active: true,
        providedBy: { reference: `Organization/${provider}` },
        name: 'Aanbod met vragen',
        extension: [
          ...(cluster
            ? [
                {
                  url: 'https://zorgpoort.nl/fhir/StructureDefinition/cluster',
                  valueReference: { reference: `Organization/${cluster}` },
                },
              ]
            : []),
          { url: QUESTIONNAIRE_EXT, valueCanonical: url },
        ],
      });
      // The diagnostics centre's questionnaire, named by its own offering (ref-dcn-bloed).
      const bloed = await read('Questionnaire/ref-vragen-bloedonderzoek');
      await forbidden(
        await post('cardio', naming(bloed.url, 'ref-ziekenhuis-oost', 'ref-zo-cardiologie')),
        /HealthcareService\/ref-dcn-bloed/,
      );
      // One it published but no offering names yet: still its own.
      const fresh = await post('lab', {
        resourceType: 'Questionnaire',
        status: 'active',
        url: 'https://zorgpoort.nl/fhir/Questionnaire/ref-vragen-urine',
        item: [{ linkId: 'kweek', text: 'Kweek gewenst?', type: 'boolean' }],
      });
      expect(fresh.status).to.equal(201);
      const hijack = await call('HealthcareService', 'cardio', {
        method: 'POST',
        body: JSON.stringify(naming(fresh.body.url, 'ref-ziekenhuis-oost', 'ref-zo-cardiologie')),
        headers: { 'accept-language': 'nl' },
      });
      expect(hijack.status).to.equal(403);
      expect(diagnostics(hijack.body)).to.contain(
        `Questionnaire/${fresh.body.id} (Organization/ref-diagnostiek-noord)`,
      );
      expect(diagnostics(hijack.body)).to.contain('gepubliceerd door een andere organisatie');
      // Its own admin names it, edits and deletes it; the other admin does not edit it.
      expect((await post('lab', naming(fresh.body.url, 'ref-diagnostiek-noord'))).status).to.equal(201);
      const q = { ...fresh.body };
      delete q.meta;
      const edited = await put('lab', { ...q, title: 'Urineonderzoek' });
      expect(edited.status, JSON.stringify(edited.body).slice(0, 300)).to.equal(200);
      await forbidden(await put('cardio', { ...q, title: 'x' }));
      const bloedOwn = { ...bloed };
      delete bloedOwn.meta;
      expect((await put('lab', { ...bloedOwn, title: 'Aanvraag bloedonderzoek (herzien)' })).status).to.equal(
        200,
      );
      // A questionnaire someone else published under a url first blocks naming that url.
      const squat = await post('gp', {
        resourceType: 'Questionnaire',
        status: 'active',
        url: 'https://zorgpoort.nl/fhir/Questionnaire/ref-vragen-hypertensie',
        item: [],
      });
      expect(squat.status).to.equal(201);
      await forbidden(
        await post('cardio', naming(squat.body.url, 'ref-ziekenhuis-oost', 'ref-zo-cardiologie')),
        /published by another organisation/,
      );
      const deleted = await call(`Questionnaire/${fresh.body.id}`, 'lab', { method: 'DELETE' });
      expect(deleted.status).to.be.oneOf([200, 204]);
    });

    it('everyone logged in reads offerings; a deactivated function manages nothing from the next request on', async () => {
      expect((await call('HealthcareService/ref-zo-knie', 'gp')).status).to.equal(200);
      expect((await call('Questionnaire/ref-vragen-knieklachten', 'reports')).status).to.equal(200);
      const role = await read('PractitionerRole/ref-zo-beheer-orthopedie-admin-care-products');
      expect(role.code[0].coding[0]).to.include({ system: FN, code: 'admin-care-products' });
      delete role.meta;
      expect(
        (
          await asTrusted(`PractitionerRole/${role.id}`, {
            method: 'PUT',
            body: JSON.stringify({ ...role, active: false }),
          })
        ).status,
      ).to.equal(200);
      const rug = await offering('ref-zo-rug');
      await forbidden(await put('ortho', { ...rug, comment: 'x' }));
      expect(
        (await asTrusted(`PractitionerRole/${role.id}`, { method: 'PUT', body: JSON.stringify(role) }))
          .status,
      ).to.equal(200);
      expect((await put('ortho', { ...rug, comment: 'Ook op zaterdag.' })).status).to.equal(200);
    });
  });

  describe('a large catalogue', () => {
    it('a catalogue of 1000 offerings: the filters and free text select in the search, inactive ones left out (speed: npm run bench)', async function () {
      this.timeout(600_000);
      const questions = [
        'cardiologie.pijn-op-de-borst',
        'cardiologie.hartfalen',
        'orthopedie.knieklachten',
        'orthopedie.rugklachten',
        'longziekten.copd-astma',
        'diagnostiek.laboratorium.bloed',
        'ggz.depressie',
        'dermatologie.eczeem',
      ];
      const icpc = ['K74', 'K77', 'L15', 'L03', 'R95', 'T90', 'P76', 'S88', 'A04', 'D12'];
      const providers = ['ref-ziekenhuis-oost', 'ref-diagnostiek-noord'];
      const offerings = Array.from({ length: 1000 }, (_, n) => ({
        resourceType: 'HealthcareService',
        id: `perf-${n}`,
        active: n % 7 !== 0,
        providedBy: { reference: `Organization/${providers[n % 2]}` },
        name: `Aanbod ${n}`,
        comment: n % 100 === 7 ? 'Zeldzaam spreekuur' : 'Regulier spreekuur',
        characteristic: [
          { coding: [{ system: CQ, code: questions[n % questions.length] }] },
          { coding: [{ system: 'http://hl7.org/fhir/sid/icpc-1-nl', code: icpc[n % icpc.length] }] },
        ],
        extension: [
          {
            url: 'https://zorgpoort.nl/fhir/StructureDefinition/offering-eligibility',
            extension: [
              { url: 'minAge', valueInteger: n % 3 === 0 ? 18 : 0 },
              ...(n % 4 === 0 ? [{ url: 'gender', valueCode: 'female' }] : []),
            ],
          },
        ],
      }));
      for (let i = 0; i < offerings.length; i += 500) {
        const res = await asTrusted('', {
          method: 'POST',
          body: JSON.stringify(transaction(offerings.slice(i, i + 500))),
        });
        expect(res.status).to.equal(200);
      }
      // As autovacuum would after a bulk load: without statistics Postgres sorts fresh rows
      // by name with a poor plan (about a second; 20-40 ms once analysed).
      await server.app.db.knex.raw('analyze');
      for (const query of [
        'care-question=cardiologie&age=40&gender=male',
        'icpc=K74&patient=Patient/ref-patient-gerrit-jansen',
        '_text=zeldzaam',
        'care-question=orthopedie&_text=spreekuur%20oost',
        'filters=off',
      ]) {
        expect(matched(await catalogue(query)).length, query).to.be.greaterThan(0);
      }
      // n % 100 = 7: 10 offerings, of which n % 7 = 0 (7 and 707) are inactive.
      expect(await ids('_text=zeldzaam&_count=200')).to.have.length(8);
    });
  });
});
