import { expect } from 'chai';
import { putResources, startTestServer, type TestServer, callAs } from '../support/harness.ts';
import { backendToken, registerBackendClient } from '../support/smart-backend.ts';
import { personToken } from '../support/smart-flow.ts';

type Json = Record<string, any>;
type Answer = { status: number; body: Json };

const SYS = 'urn:test:obs';
const obs = (id: string, patient: string, extra: Json = {}) =>
  [
    'Observation',
    id,
    {
      status: 'final',
      identifier: [{ system: SYS, value: id }],
      code: { text: id },
      subject: { reference: `Patient/${patient}` },
      ...extra,
    },
  ] as const;

/** Who may see p1 (and only p1), and how their disclosures are logged. */
const KINDS = [
  { kind: 'practitioner', basis: 'relationship:general-practitioner', purpose: 'TREAT', writes: true },
  { kind: 'patient', basis: 'own-data', purpose: 'PATRQT', writes: true },
  { kind: 'related person', basis: 'own-data', purpose: 'PATRQT', writes: false },
  { kind: 'system client', basis: 'relationship:general-practitioner', purpose: 'HOPERAT', writes: true },
] as const;

/**
 * The leak suite: one test per way a hidden patient could show, for each kind of principal
 * (a GP related to p1, p1 themself, p1's authorised representative, the practice's system
 * client). p2 is nobody's here: every answer about p2 must be the answer about nothing.
 */
describe('the gate: no leaks, for every kind of principal', function () {
  this.timeout(120_000);
  let server: TestServer;
  const tokens: Record<string, string> = {};
  let auditor: string;

  const request = callAs(() => server);
  const call = async (as: string, path: string, init: RequestInit = {}): Promise<Answer> => {
    const { status, body } = await request(path, as, init);
    return { status, body: body ?? {} };
  };
  /** p1's Observations as the trusted loader sees them (the tests below add some). */
  const p1Observations = async () =>
    ids((await (await server.fetch('Observation?subject=Patient/p1&_count=1000')).json()) as Json);
  const ids = (b: Json) =>
    (b.entry ?? []).map((e: Json) => `${e.resource.resourceType}/${e.resource.id}`).sort();
  /** The answer with the ids taken out, so hidden and missing can be compared. */
  const shape = (a: Answer, ...names: string[]) => {
    let text = JSON.stringify(a.body);
    for (const n of names) text = text.replaceAll(n, '<id>');
    const body = JSON.parse(text);
    delete body.id;
    delete body.meta;
    return { status: a.status, body };
  };

  before(async () => {
    server = await startTestServer({}, { config: { smart: { devLogin: true, cookieKeys: [] } } });
    await putResources(server, [
      ['Organization', 'praktijk', {}],
      ['Practitioner', 'gp', {}],
      ['Practitioner', 'other', {}],
      [
        'PractitionerRole',
        'gp-role',
        {
          practitioner: { reference: 'Practitioner/gp' },
          organization: { reference: 'Organization/praktijk' },
        },
      ],
      [
        'Patient',
        'p1',
        {
          name: [{ family: 'Eerste' }],
          generalPractitioner: [{ reference: 'Practitioner/gp' }, { reference: 'Organization/praktijk' }],
        },
      ],
      [
        'Patient',
        'p2',
        { name: [{ family: 'Tweede' }], generalPractitioner: [{ reference: 'Practitioner/other' }] },
      ],
      [
        'RelatedPerson',
        'rp1',
        { active: true, patient: { reference: 'Patient/p1' }, period: { start: '2020-01-01' } },
      ],
      obs('p1-obs', 'p1', { performer: [{ reference: 'Practitioner/other' }] }),
      obs('p2-obs', 'p2', { performer: [{ reference: 'Practitioner/gp' }] }),
      obs('p2-gone', 'p2'),
      [
        'Encounter',
        'p2-enc',
        { status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/p2' } },
      ],
    ]);
    expect((await server.fetch('Observation/p2-gone', { method: 'DELETE' })).status).to.equal(204);
    tokens.practitioner = await personToken(server, 'Practitioner/gp', 'openid fhirUser user/*.cruds');
    tokens.patient = await personToken(server, 'Patient/p1', 'openid fhirUser patient/*.cruds');
    tokens['related person'] = await personToken(
      server,
      'RelatedPerson/rp1',
      'openid fhirUser patient/*.cruds',
    );
    const scope = 'system/*.cruds';
    tokens['system client'] =
      `Bearer ${await backendToken(server, await registerBackendClient(server, { scope, organizationId: 'praktijk' }), scope)}`;
    const auditScope = 'system/AuditEvent.rs';
    auditor = `Bearer ${await backendToken(server, await registerBackendClient(server, { scope: auditScope }), auditScope)}`;
  });
  after(() => server?.close());

  for (const { kind, basis, purpose, writes } of KINDS) {
    describe(`a ${kind}`, () => {
      const as = (path: string, init?: RequestInit) => call(tokens[kind]!, path, init);

      it('reads the related patient; another patient is 404, exactly as a missing one', async () => {
        expect((await as('Patient/p1')).status).to.equal(200);
        expect(shape(await as('Patient/p2'), 'p2')).to.deep.equal(shape(await as('Patient/p9'), 'p9'));
        expect(shape(await as('Observation/p2-obs'), 'p2-obs')).to.deep.equal(
          shape(await as('Observation/nope'), 'nope'),
        );
      });

      it('searches leave hidden rows out of the page and the counts', async () => {
        const all = await as('Observation?_total=accurate&_count=1000');
        const expected = await p1Observations();
        expect(ids(all.body)).to.deep.equal(expected);
        expect(all.body.total).to.equal(expected.length);
        expect((await as('Observation?_summary=count')).body.total).to.equal(expected.length);
        expect(ids((await as('Patient')).body)).to.deep.equal(['Patient/p1']);
      });

      it('_include, _revinclude and :iterate never pull in another patient', async () => {
        const rev = await as(
          'Practitioner?_id=gp,other&_revinclude=Observation:performer&_revinclude:iterate=Observation:subject',
        );
        expect(ids(rev.body)).to.not.include.members(['Observation/p2-obs']);
        expect(ids(rev.body).filter((r: string) => r.startsWith('Observation/'))).to.include(
          'Observation/p1-obs',
        );
        const inc = await as(
          'Observation?_count=1000&_include=Observation:subject&_include:iterate=Practitioner:*&_revinclude:iterate=Encounter:subject',
        );
        const shown = ids(inc.body).filter((r: string) => /^(Observation|Encounter|Patient)\//.test(r));
        expect(shown).to.deep.equal([...(await p1Observations()), 'Patient/p1'].sort());
      });

      it('chains and _has cannot probe hidden data', async () => {
        expect(ids((await as('Observation?subject:Patient.family=Tweede')).body)).to.deep.equal([]);
        expect(
          ids((await as('Practitioner?_has:Observation:performer:subject=Patient/p2')).body),
        ).to.deep.equal([]);
        expect(ids((await as('Patient?_has:Encounter:subject:status=finished')).body)).to.deep.equal([]);
      });

      it('history and vread of a hidden resource answer 404, and a hidden deletion as never existing', async () => {
        expect(shape(await as('Observation/p2-obs/_history'), 'p2-obs')).to.deep.equal(
          shape(await as('Observation/nope/_history'), 'nope'),
        );
        expect(shape(await as('Observation/p2-obs/_history/1'), 'p2-obs')).to.deep.equal(
          shape(await as('Observation/nope/_history/1'), 'nope'),
        );
        expect(shape(await as('Observation/p2-gone'), 'p2-gone')).to.deep.equal(
          shape(await as('Observation/nope'), 'nope'),
        );
      });

      it('$everything of a hidden patient is 404; their own leaves the other patient out', async () => {
        expect(shape(await as('Patient/p2/$everything'), 'p2')).to.deep.equal(
          shape(await as('Patient/p9/$everything'), 'p9'),
        );
        const own = await as('Patient/p1/$everything');
        expect(own.status).to.equal(200);
        expect(ids(own.body).filter((r: string) => r.includes('p2'))).to.deep.equal([]);
      });

      it('a batch filters each GET entry on its own', async () => {
        const batch = await as('', {
          method: 'POST',
          body: JSON.stringify({
            resourceType: 'Bundle',
            type: 'batch',
            entry: ['Patient/p1', 'Patient/p2', 'Patient/p9', 'Observation?subject=Patient/p2'].map(
              (url) => ({ request: { method: 'GET', url } }),
            ),
          }),
        });
        expect(batch.body.entry.map((e: Json) => e.response.status.slice(0, 3))).to.deep.equal([
          '200',
          '404',
          '404',
          '200',
        ]);
        expect(batch.body.entry[3].resource.entry ?? []).to.deep.equal([]);
      });

      it('conditional writes matching a hidden resource answer as matching nothing', async () => {
        const create = (identifier: string) =>
          as('Observation', {
            method: 'POST',
            headers: { 'if-none-exist': `identifier=${SYS}|${identifier}` },
            body: JSON.stringify({
              resourceType: 'Observation',
              status: 'final',
              code: { text: 'c' },
              subject: { reference: 'Patient/p1' },
            }),
          });
        expect((await create('p2-obs')).status).to.equal((await create('never-used')).status);
        const update = (identifier: string) =>
          as(`Observation?identifier=${SYS}|${identifier}`, {
            method: 'PUT',
            body: JSON.stringify({
              resourceType: 'Observation',
              status: 'final',
              code: { text: 'u' },
              subject: { reference: 'Patient/p1' },
            }),
          });
        expect((await update('p2-obs')).status).to.equal((await update('never-used-2')).status);
        const remove = (identifier: string) =>
          as(`Observation?identifier=${SYS}|${identifier}`, { method: 'DELETE' });
        expect(shape(await remove('p2-obs'))).to.deep.equal(shape(await remove('never-used-3')));
        expect((await server.fetch('Observation/p2-obs')).status, 'still there').to.equal(200);
      });

      it('a conditional update in a transaction that matches nothing creates, with an id the server chose', async () => {
        const tx = await as('', {
          method: 'POST',
          body: JSON.stringify({
            resourceType: 'Bundle',
            type: 'transaction',
            entry: [
              {
                fullUrl: 'urn:uuid:6a3c7f2e-0000-4000-8000-000000000001',
                resource: {
                  resourceType: 'Observation',
                  status: 'final',
                  code: { text: 't' },
                  subject: { reference: 'Patient/p1' },
                },
                request: { method: 'PUT', url: `Observation?identifier=${SYS}|tx-${kind.replace(' ', '-')}` },
              },
            ],
          }),
        });
        if (!writes) {
          expect(tx.status).to.equal(403);
          return;
        }
        expect(tx.status, JSON.stringify(tx.body)).to.equal(200);
        expect(tx.body.entry[0].response.status).to.match(/^201/);
      });

      it('PUT and DELETE of a hidden id, and of a hidden tombstone, answer as for a never-used id', async () => {
        const body = (id: string) =>
          JSON.stringify({
            resourceType: 'Observation',
            id,
            status: 'final',
            code: { text: 'x' },
            subject: { reference: 'Patient/p1' },
          });
        expect(
          shape(await as('Observation/p2-obs', { method: 'PUT', body: body('p2-obs') }), 'p2-obs'),
        ).to.deep.equal(
          shape(await as('Observation/never', { method: 'PUT', body: body('never') }), 'never'),
        );
        expect(
          shape(await as('Observation/p2-gone', { method: 'PUT', body: body('p2-gone') }), 'p2-gone'),
        ).to.deep.equal(
          shape(await as('Observation/never', { method: 'PUT', body: body('never') }), 'never'),
        );
        expect(shape(await as('Observation/p2-obs', { method: 'DELETE' }), 'p2-obs')).to.deep.equal(
          shape(await as('Observation/never', { method: 'DELETE' }), 'never'),
        );
        const kept = (await (await server.fetch('Observation/p2-obs')).json()) as Json;
        expect(kept.code.text, 'nothing overwritten or deleted').to.equal('p2-obs');
      });

      it('$validate by id, PATCH and If-Match on a hidden id answer as on a missing one', async () => {
        const same = async (
          hidden: Promise<Answer>,
          missing: Promise<Answer>,
          hiddenId: string,
          missingId: string,
        ) => expect(shape(await hidden, hiddenId)).to.deep.equal(shape(await missing, missingId));
        await same(as('Observation/p2-obs/$validate'), as('Observation/nope/$validate'), 'p2-obs', 'nope');
        const patch = (id: string) =>
          as(`Observation/${id}`, {
            method: 'PATCH',
            headers: { 'content-type': 'application/json-patch+json' },
            body: JSON.stringify([{ op: 'replace', path: '/status', value: 'amended' }]),
          });
        await same(patch('p2-obs'), patch('nope'), 'p2-obs', 'nope');
        const ifMatch = (id: string) =>
          as(`Observation/${id}`, {
            method: 'PUT',
            headers: { 'if-match': 'W/"1"' },
            body: JSON.stringify({
              resourceType: 'Observation',
              id,
              status: 'final',
              code: { text: 'm' },
              subject: { reference: 'Patient/p1' },
            }),
          });
        await same(ifMatch('p2-obs'), ifMatch('nope'), 'p2-obs', 'nope');
        const kept = (await (await server.fetch('Observation/p2-obs')).json()) as Json;
        expect(kept.status).to.equal('final');
      });

      it('a write naming another patient is refused, whether that patient exists or not', async () => {
        const write = (performer: string) =>
          as('Observation', {
            method: 'POST',
            body: JSON.stringify({
              resourceType: 'Observation',
              status: 'final',
              code: { text: 'w' },
              subject: { reference: 'Patient/p1' },
              performer: [{ reference: performer }],
            }),
          });
        const existing = await write('Patient/p2');
        expect(existing.status).to.equal(403);
        expect((await write('Patient/p9')).status).to.equal(403);
        expect((await server.fetch('Patient/p2/Observation')).status).to.equal(200);
        const inP2 = (await (await server.fetch('Patient/p2/Observation')).json()) as Json;
        expect(ids(inP2).sort()).to.deep.equal(['Observation/p2-obs']);
        const own = await write('Practitioner/gp');
        expect(own.status).to.equal(writes ? 201 : 403);
      });

      it('Prefer: handling=lenient with unknown parameters still applies the gate', async () => {
        const res = await as('Observation?no-such-param=1&_count=1000', {
          headers: { prefer: 'handling=lenient' },
        });
        expect(res.status).to.equal(200);
        expect(ids(res.body).filter((r: string) => r.startsWith('Observation/'))).to.deep.equal(
          await p1Observations(),
        );
      });

      it('each disclosure is logged for its patient, with the basis and purpose; a refusal names no hidden patient', async () => {
        const marker = `leak-audit-${kind.replace(' ', '-')}`;
        await as(`Patient?_id=p1&_tag=${marker}-none`);
        await as('Patient/p1');
        await as('Patient/p2');
        const events = (
          await call(auditor, 'AuditEvent?entity=Patient/p1&subtype=read&_sort=-date&_count=50')
        ).body.entry.map((e: Json) => e.resource);
        const mine = events.find((e: Json) =>
          JSON.stringify(e.agent).includes(kind === 'system client' ? 'client-id' : '"requestor":true'),
        );
        expect(mine, JSON.stringify(events.map((e: Json) => e.agent))).to.not.equal(undefined);
        const own = events.filter((e: Json) =>
          e.entity.some((x: Json) => x.detail?.[0]?.valueString === basis),
        );
        expect(own.length, `a read with basis ${basis}`).to.be.greaterThan(0);
        expect(own[0].purposeOfEvent[0].coding[0].code).to.equal(purpose);
        const aboutP2 = (
          (await call(auditor, 'AuditEvent?entity=Patient/p2&_count=1000')).body.entry ?? []
        ).map((e: Json) => e.resource);
        // The refusals are logged with what was asked (NEN 7513), as failures; the only
        // disclosures of p2's data (reads, searches) ever made went to the trusted loader and
        // the auditor.
        expect(aboutP2.some((e: Json) => e.outcome === '4')).to.equal(true);
        for (const e of aboutP2.filter((x: Json) => x.action === 'R' || x.action === 'E')) {
          const disclosed = e.entity.find(
            (x: Json) => x.what?.reference === 'Patient/p2' && x.role?.code === '1',
          );
          if (disclosed)
            expect(disclosed.detail?.[0]?.valueString).to.be.oneOf(['trusted-client', 'auditor']);
        }
      });
    });
  }

  describe("a patient's own data", () => {
    it('what a patient creates is labelled patient-entered (PATAST); what they update of others is not', async () => {
      const PATAST = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'PATAST' };
      const created = await call(tokens.patient!, 'Observation', {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'Observation',
          status: 'final',
          code: { text: 'bloeddruk thuis' },
          subject: { reference: 'Patient/p1' },
        }),
      });
      expect(created.status).to.equal(201);
      expect(created.body.meta.security).to.deep.include({ ...PATAST, display: 'patient asserted' });
      const own = (await (await server.fetch('Patient/p1')).json()) as Json;
      const updated = await call(tokens.patient!, 'Patient/p1', {
        method: 'PUT',
        body: JSON.stringify({
          ...own,
          meta: undefined,
          telecom: [{ system: 'phone', value: '0612345678' }],
        }),
      });
      expect(updated.status).to.equal(200);
      expect(updated.body.meta.security ?? []).to.deep.equal([]);
    });
  });

  describe('afterwards', () => {
    it("a related person's access ends with the patient's authorisation", async () => {
      expect((await call(tokens['related person']!, 'Patient/p1')).status).to.equal(200);
      const ended = await server.fetch('RelatedPerson/rp1', {
        method: 'PUT',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify({
          resourceType: 'RelatedPerson',
          id: 'rp1',
          active: true,
          patient: { reference: 'Patient/p1' },
          period: { start: '2020-01-01', end: '2021-01-01' },
        }),
      });
      expect(ended.status).to.equal(200);
      const refused = await call(tokens['related person']!, 'Patient/p1');
      expect(refused.status).to.equal(403);
      expect(refused.body.issue[0].diagnostics).to.contain('not authorised by the patient now');
    });
  });
});
