import { expect } from 'chai';
import { callAs, putResources, startTestServer, type TestServer } from '../support/harness.ts';
import { personToken } from '../support/smart-flow.ts';

type Json = Record<string, any>;

const UZI_ROLE = 'urn:oid:2.16.840.1.113883.2.4.15.111';
const CUSTODIAN = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';
const ORG_TYPE = 'http://nictiz.nl/fhir/NamingSystem/organization-type';
const SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';
const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
const NUMBER = 'https://zorgpoort.nl/fhir/NamingSystem/patient-number/ZGT';
const HD = 'http://hl7.org/fhir/StructureDefinition/';
/** A GP out-of-hours post (huisartsenpost) by its organisation type; the GP role there. */
const BTG = { roles: [`${UZI_ROLE}|01.015`], organizations: [`${ORG_TYPE}|HAP`] };

const role = (id: string, practitioner: string, org: string) =>
  [
    'PractitionerRole',
    id,
    {
      practitioner: { reference: `Practitioner/${practitioner}` },
      organization: { reference: `Organization/${org}` },
      code: [{ coding: [{ system: UZI_ROLE, code: '01.015' }] }],
    },
  ] as const;

/** An nl-core name: own name with prefix, and a partner name; or a plain family name. */
const nlName = (own: { prefix?: string; name: string }, partner?: string, given = 'Bert') => ({
  family: [partner, [own.prefix, own.name].filter(Boolean).join(' ')].filter(Boolean).join('-'),
  _family: {
    extension: [
      ...(own.prefix ? [{ url: `${HD}humanname-own-prefix`, valueString: own.prefix }] : []),
      { url: `${HD}humanname-own-name`, valueString: own.name },
      ...(partner ? [{ url: `${HD}humanname-partner-name`, valueString: partner }] : []),
    ],
  },
  given: [given],
});
const address = (postalCode: string, houseNumber: string) => ({
  line: [`Haaksbergerstraat ${houseNumber}`],
  _line: [{ extension: [{ url: `${HD}iso21090-ADXP-houseNumber`, valueString: houseNumber }] }],
  city: 'Enschede',
  postalCode,
});
const held = { meta: { tag: [{ system: CUSTODIAN, code: 'ziekenhuis' }] } };
const consent = (patient: string, actor: string) => ({
  status: 'active',
  scope: { coding: [{ system: SCOPE, code: 'patient-privacy' }] },
  category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
  patient: { reference: `Patient/${patient}` },
  policy: [{ uri: 'https://zorgpoort.nl/consent' }],
  provision: { type: 'permit', actor: [{ role: { text: 'huisarts' }, reference: { reference: actor } }] },
});
const gp = { generalPractitioner: [{ reference: 'Practitioner/huisarts' }] };

/**
 * p1 B. de Vries-Jansen (m, 1955-05-05, 7513 ER 55, patient number 02448128): the GP's, with consent.
 * p2 C. Bakker (f, 1980-01-02, 7513ER 55, no nl-core name parts): the GP's; a BSN, a visit number.
 * p3 D. Vries (m, 1955-05-05): nobody's. p4: the other GP's.
 */
async function network(server: TestServer) {
  await putResources(server, [
    [
      'Organization',
      'hap',
      { name: 'Huisartsenpost', type: [{ coding: [{ system: ORG_TYPE, code: 'HAP' }] }] },
    ],
    ['Organization', 'ziekenhuis', { name: 'Ziekenhuis' }],
    ['Organization', 'praktijk', { name: 'Huisartsenpraktijk' }],
    ['Organization', 'praktijk2', { name: 'Andere praktijk' }],
    ['Practitioner', 'huisarts', {}],
    ['Practitioner', 'andere-huisarts', {}],
    ['Practitioner', 'hap-arts', {}],
    role('huisarts-role', 'huisarts', 'praktijk'),
    role('andere-huisarts-role', 'andere-huisarts', 'praktijk2'),
    role('hap-arts-role', 'hap-arts', 'hap'),
    [
      'Patient',
      'p1',
      {
        ...held,
        ...gp,
        identifier: [
          { system: NUMBER, value: '02448128' },
          { system: BSN, value: '999990007' },
        ],
        name: [nlName({ prefix: 'de', name: 'Vries' }, 'Jansen')],
        gender: 'male',
        birthDate: '1955-05-05',
        address: [address('7513 ER', '55')],
      },
    ],
    ['Consent', 'p1-consent', consent('p1', 'Practitioner/huisarts')],
    [
      'Patient',
      'p2',
      {
        ...held,
        ...gp,
        identifier: [
          { system: BSN, value: '999990019' },
          { system: 'https://zorgpoort.nl/fhir/NamingSystem/visit-number/ZGT', value: '777' },
        ],
        name: [{ family: 'Bakker', given: ['Corrie'] }],
        gender: 'female',
        birthDate: '1980-01-02',
        address: [address('7513ER', '55')],
      },
    ],
    [
      'Patient',
      'p3',
      {
        ...held,
        identifier: [{ system: NUMBER, value: '03000003' }],
        name: [nlName({ name: 'Vries' }, undefined, 'Dirk')],
        gender: 'male',
        birthDate: '1955-05-05',
        address: [address('1234 AB', '1')],
      },
    ],
    [
      'Patient',
      'p4',
      {
        ...held,
        generalPractitioner: [{ reference: 'Practitioner/andere-huisarts' }],
        name: [{ family: 'Smit' }],
        gender: 'male',
        birthDate: '1990-03-03',
      },
    ],
  ]);
}

describe('hospital portal: patient search and recent patients', function () {
  this.timeout(120_000);
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const call = callAs(() => server, tokens);
  const search = (as: string, query: string, language?: string) =>
    call(`Patient/$portal-search?${query}`, as, language ? { headers: { 'accept-language': language } } : {});
  const post = (as: string, parameter: Json[]) =>
    call('Patient/$portal-search', as, {
      method: 'POST',
      body: JSON.stringify({ resourceType: 'Parameters', parameter }),
    });
  const matches = (bundle: Json) =>
    (bundle.entry ?? []).filter((e: Json) => e.search?.mode === 'match').map((e: Json) => e.resource.id);
  const offers = (bundle: Json) => (bundle.entry ?? []).filter((e: Json) => e.search?.mode === 'outcome');
  const recent = async (as: string) => {
    const res = await call('Patient/$portal-recent', as);
    expect(res.status).to.equal(200);
    return res.body;
  };

  before(async () => {
    server = await startTestServer(
      {},
      {
        config: {
          smart: { devLogin: true, cookieKeys: [] },
          access: { dischargeGraceHours: 24, administrationRoles: [], breakTheGlass: { ...BTG, hours: 12 } },
        },
      },
    );
    await network(server);
    for (const who of ['huisarts', 'andere-huisarts', 'hap-arts']) {
      tokens[who] = await personToken(server, `Practitioner/${who}`);
    }
  });
  after(() => server?.close());

  describe('the accepted combinations', () => {
    it('patient number: the hospital’s own number only, never a BSN or another kind of number', async () => {
      const found = await search('huisarts', 'patient-number=02448128');
      expect(found.status).to.equal(200);
      expect(found.body.resourceType).to.equal('Bundle');
      expect(found.body.type).to.equal('searchset');
      expect(matches(found.body)).to.deep.equal(['p1']);
      expect(found.body.entry[0].fullUrl).to.match(/\/Patient\/p1$/);
      expect(matches((await search('huisarts', 'patient-number=999990019')).body)).to.deep.equal([]);
      expect(matches((await search('huisarts', 'patient-number=777')).body)).to.deep.equal([]);
    });

    it('BSN (spaces allowed), and a BSN that fails the 11-test is refused saying so', async () => {
      expect(matches((await search('huisarts', 'bsn=999990019')).body)).to.deep.equal(['p2']);
      expect(
        matches((await search('huisarts', `bsn=${encodeURIComponent('9999 90 007')}`)).body),
      ).to.deep.equal(['p1']);
      const bad = await search('huisarts', 'bsn=999990008', 'en');
      expect(bad.status).to.equal(400);
      expect(bad.body.resourceType).to.equal('OperationOutcome');
      expect(bad.body.issue[0].diagnostics).to.contain('11-test');
      const nl = await search('huisarts', 'bsn=12345', 'nl');
      expect(nl.status).to.equal(400);
      expect(nl.body.issue[0].diagnostics).to.contain('elfproef');
    });

    it('part of the own name + birth date + gender: the own name, not the partner name; plain family names too', async () => {
      const q = (name: string, rest = 'birthdate=1955-05-05&gender=male') =>
        search('huisarts', `name=${name}&${rest}`);
      expect(matches((await q('vries')).body)).to.deep.equal(['p1']);
      expect(matches((await q('RIE')).body), 'a part, any case').to.deep.equal(['p1']);
      expect(matches((await q('jansen')).body), 'the partner name is not the own name').to.deep.equal([]);
      expect(matches((await q('vries', 'birthdate=1955-05-06&gender=male')).body)).to.deep.equal([]);
      expect(matches((await q('vries', 'birthdate=1955-05-05&gender=female')).body)).to.deep.equal([]);
      expect(
        matches((await q('akk', 'birthdate=1980-01-02&gender=female')).body),
        'no own-name extension: the family name',
      ).to.deep.equal(['p2']);
    });

    it('part of the partner name + birth date + gender', async () => {
      const found = await search('huisarts', 'partner-name=Jans&birthdate=1955-05-05&gender=male');
      expect(matches(found.body)).to.deep.equal(['p1']);
      expect(
        matches((await search('huisarts', 'partner-name=Vries&birthdate=1955-05-05&gender=male')).body),
      ).to.deep.equal([]);
    });

    it('postcode + house number, with or without the space, in any case', async () => {
      for (const postcode of ['7513 ER', '7513ER', '7513er', '7513 er']) {
        const found = await search('huisarts', `postcode=${encodeURIComponent(postcode)}&house-number=55`);
        expect(found.status, postcode).to.equal(200);
        expect(matches(found.body).sort(), postcode).to.deep.equal(['p1', 'p2']);
      }
      expect(matches((await search('huisarts', 'postcode=7513ER&house-number=56')).body)).to.deep.equal([]);
    });

    it('extra criteria narrow the search', async () => {
      expect(
        matches((await search('huisarts', 'postcode=7513ER&house-number=55&gender=female')).body),
      ).to.deep.equal(['p2']);
      expect(
        matches((await search('huisarts', 'patient-number=02448128&birthdate=1980-01-02')).body),
      ).to.deep.equal([]);
    });

    it('POST with a Parameters body', async () => {
      const found = await post('huisarts', [
        { name: 'name', valueString: 'Vries' },
        { name: 'birthdate', valueDate: '1955-05-05' },
        { name: 'gender', valueCode: 'male' },
      ]);
      expect(found.status).to.equal(200);
      expect(matches(found.body)).to.deep.equal(['p1']);
      expect((await post('huisarts', [{ name: 'name', valueString: 'Vries' }])).status).to.equal(400);
    });
  });

  describe('refusals', () => {
    for (const [query, what] of [
      ['name=vries&birthdate=1955-05-05', 'name + birth date without gender'],
      ['postcode=7513ER', 'postcode alone'],
      ['partner-name=Jansen&gender=male', 'partner name + gender'],
      ['house-number=55&birthdate=1955-05-05&gender=male', 'house number + birth date + gender'],
      ['', 'nothing'],
    ] as const) {
      it(`too few criteria (${what}): 400 naming the accepted combinations`, async () => {
        const en = await search('huisarts', query, 'en');
        expect(en.status).to.equal(400);
        const text = en.body.issue[0].diagnostics as string;
        expect(text).to.contain('Too few search criteria');
        for (const combination of [
          'patient-number',
          'bsn',
          'name (part of the own or birth name) + birthdate + gender',
          'partner-name (part of the partner name) + birthdate + gender',
          'postcode + house-number',
        ]) {
          expect(text).to.contain(combination);
        }
        const nl = await search('huisarts', query, 'nl');
        expect(nl.body.issue[0].diagnostics).to.contain('Te weinig zoekgegevens');
        expect(nl.body.issue[0].diagnostics).to.contain('postcode (postcode) + huisnummer (house-number)');
      });
    }

    it('unknown parameters and malformed values', async () => {
      const unknown = await search('huisarts', 'patient-number=02448128&family=Vries', 'en');
      expect(unknown.status).to.equal(400);
      expect(unknown.body.issue[0].diagnostics).to.contain("Unknown parameter 'family'");
      expect((await search('huisarts', 'name=x&birthdate=05-05-1955&gender=male')).status).to.equal(400);
      expect((await search('huisarts', 'name=x&birthdate=1955-02-30&gender=male')).status).to.equal(400);
      expect((await search('huisarts', 'name=x&birthdate=1955-05-05&gender=man')).status).to.equal(400);
      expect((await search('huisarts', 'postcode=7513ER&house-number=55a')).status).to.equal(400);
      expect((await search('huisarts', 'bsn=999990019&_count=0')).status).to.equal(400);
      expect((await search('huisarts', 'bsn=999990019&bsn=999990007')).status).to.equal(400);
    });
  });

  describe('only patients the caller may see', () => {
    it('a GP without a treatment relationship gets an empty Bundle, as when nothing matches, without any hint', async () => {
      for (const query of [
        'patient-number=02448128',
        'bsn=999990007',
        'name=vries&birthdate=1955-05-05&gender=male',
      ]) {
        const found = await search('andere-huisarts', query);
        expect(found.status).to.equal(200);
        expect(found.body.entry ?? [], query).to.deep.equal([]);
        const none = await search('andere-huisarts', 'patient-number=00000000');
        expect(Object.keys(found.body).sort()).to.deep.equal(Object.keys(none.body).sort());
      }
      expect(
        matches((await search('andere-huisarts', 'name=smit&birthdate=1990-03-03&gender=male')).body),
      ).to.deep.equal(['p4']);
    });

    it('a GP-post doctor is offered break-the-glass for hidden matches, with no data but the id', async () => {
      const found = await search('hap-arts', 'name=vries&birthdate=1955-05-05&gender=male', 'nl');
      expect(found.status).to.equal(200);
      expect(matches(found.body)).to.deep.equal([]);
      const offered = offers(found.body);
      expect(offered).to.have.length(2);
      const named = offered
        .map((e: Json) => e.resource.issue[0].extension[0].valueReference.reference)
        .sort();
      expect(named).to.deep.equal(['Patient/p1', 'Patient/p3']);
      for (const entry of offered) {
        expect(entry.resource.resourceType).to.equal('OperationOutcome');
        expect(entry.fullUrl).to.equal(undefined);
        const issue = entry.resource.issue[0];
        expect(issue.code).to.equal('suppressed');
        expect(issue.details.text).to.equal(
          'In onze zorginstelling is geen behandelrelatie bekend tussen u en deze patiënt. Als u de gegevens van deze patiënt toch wilt inzien, dan zal dit worden gelogd en gemeld aan de patiënt. Waarom wilt u dit dossier bekijken?',
        );
        expect(issue.diagnostics).to.contain('$break-the-glass');
        // Nothing of the patient beyond the id: no name, birth date, number, address.
        const text = JSON.stringify(entry);
        for (const data of ['Vries', 'Jansen', '1955', '02448128', '7513', 'Bert', 'Dirk', 'male']) {
          expect(text).to.not.contain(data);
        }
      }
      const en = await search('hap-arts', 'patient-number=03000003', 'en');
      expect(offers(en.body)[0].resource.issue[0].details.text).to.contain('no treatment relationship');
      expect(offers((await search('hap-arts', 'patient-number=00000000')).body)).to.deep.equal([]);
    });

    it('the offer is in the patient’s access log, as not granted (outcome 4), naming only them', async () => {
      const own = await personToken(server, 'Patient/p3', 'openid fhirUser patient/*.rs');
      const log = await call('AuditEvent?patient=Patient/p3&subtype=$portal-search', own);
      expect(log.status).to.equal(200);
      const events = (log.body.entry ?? []).map((e: Json) => e.resource);
      const offered = events.filter(
        (e: Json) =>
          e.agent.some((a: Json) => a.who?.reference === 'Practitioner/hap-arts') && e.outcome === '4',
      );
      expect(offered.length).to.be.greaterThan(0);
      expect(offered[0].outcomeDesc).to.contain('break-the-glass');
      const named = offered.flatMap((e: Json) => e.entity.map((x: Json) => x.what?.reference));
      expect(named.every((r: string) => r === 'Patient/p3')).to.equal(true);
    });

    it('says so when more patients match than asked for', async () => {
      const found = await search('huisarts', 'postcode=7513ER&house-number=55&_count=1', 'en');
      expect(matches(found.body)).to.have.length(1);
      const more = offers(found.body);
      expect(more).to.have.length(1);
      expect(more[0].resource.issue[0].diagnostics).to.contain('More than 1 patients match');
      expect(found.body.total).to.equal(undefined);
    });

    it('after $break-the-glass the GP-post doctor finds the patient itself', async () => {
      const id = offers((await search('hap-arts', 'patient-number=03000003')).body)[0].resource.issue[0]
        .extension[0].valueReference.reference as string;
      const opened = await call(`${id}/$break-the-glass`, 'hap-arts', {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'Parameters',
          parameter: [{ name: 'reason', valueString: 'Spoed, bewusteloos' }],
        }),
      });
      expect(opened.status).to.equal(200);
      const found = await search('hap-arts', 'name=vries&birthdate=1955-05-05&gender=male');
      expect(matches(found.body)).to.deep.equal(['p3']);
      expect(
        found.body.entry.find((e: Json) => e.search.mode === 'match').resource.name[0].given,
      ).to.deep.equal(['Dirk']);
      const still = offers(found.body).map(
        (e: Json) => e.resource.issue[0].extension[0].valueReference.reference,
      );
      expect(still).to.deep.equal(['Patient/p1']);
    });
  });

  describe('recent patients', () => {
    it('lists what the caller opened, newest first, and not what another caller opened', async () => {
      expect((await call('Patient/p2', 'huisarts')).status).to.equal(200);
      expect((await call('Patient/p1', 'huisarts')).status).to.equal(200);
      expect((await call('Patient/p4', 'andere-huisarts')).status).to.equal(200);
      const list = await recent('huisarts');
      expect(list.type).to.equal('searchset');
      const ids = list.entry.map((e: Json) => e.resource.id);
      expect(ids.slice(0, 2)).to.deep.equal(['p1', 'p2']);
      expect(ids).to.not.include('p4');
      expect(ids).to.not.include('p3');
      const [first, second] = list.entry.map(
        (e: Json) => e.extension.find((x: Json) => x.url.endsWith('/last-opened')).valueInstant,
      );
      expect(Date.parse(first)).to.be.at.least(Date.parse(second));

      // Opening p2 again brings it to the top; viewing the list itself changes nothing.
      expect((await call('Patient/p2', 'huisarts')).status).to.equal(200);
      await recent('huisarts');
      expect((await recent('huisarts')).entry.map((e: Json) => e.resource.id).slice(0, 2)).to.deep.equal([
        'p2',
        'p1',
      ]);
      expect((await recent('andere-huisarts')).entry.map((e: Json) => e.resource.id)).to.deep.equal(['p4']);
      expect((await call('Patient/$portal-recent?_count=1', 'huisarts')).body.entry).to.have.length(1);
      expect((await call('Patient/$portal-recent?_count=51', 'huisarts')).status).to.equal(400);
    });

    it('an offer of break-the-glass is not an opened patient; a break-the-glass read is', async () => {
      const ids = (await recent('hap-arts')).entry?.map((e: Json) => e.resource.id) ?? [];
      // p3 came back from a search after the glass was broken; p1 was only offered (and is hidden).
      expect(ids).to.deep.equal(['p3']);
    });

    it('drops a patient the caller can no longer see', async () => {
      const res = await server.fetch('Patient/p1', {
        method: 'PUT',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify({
          resourceType: 'Patient',
          id: 'p1',
          ...held,
          identifier: [{ system: NUMBER, value: '02448128' }],
          name: [nlName({ prefix: 'de', name: 'Vries' }, 'Jansen')],
          gender: 'male',
          birthDate: '1955-05-05',
        }),
      });
      expect(res.status).to.equal(200);
      expect((await call('Patient/p1', 'huisarts')).status).to.equal(404);
      const ids = (await recent('huisarts')).entry.map((e: Json) => e.resource.id);
      expect(ids).to.include('p2');
      expect(ids).to.not.include('p1');
    });

    it('is for a practitioner’s login only', async () => {
      const patient = await personToken(server, 'Patient/p2', 'openid fhirUser patient/*.rs');
      expect((await call('Patient/$portal-recent', patient)).status).to.equal(403);
    });
  });

  it('both operations are in the CapabilityStatement with their definitions', async () => {
    const cs = (await call('metadata', 'huisarts')).body;
    const patient = cs.rest[0].resource.find((r: Json) => r.type === 'Patient');
    const ops = Object.fromEntries(patient.operation.map((o: Json) => [o.name, o.definition]));
    expect(ops['portal-search']).to.equal(
      'https://zorgpoort.nl/fhir/OperationDefinition/Patient-portal-search',
    );
    expect(ops['portal-recent']).to.equal(
      'https://zorgpoort.nl/fhir/OperationDefinition/Patient-portal-recent',
    );
  });
});
