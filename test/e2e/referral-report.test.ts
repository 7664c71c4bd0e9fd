import { expect } from 'chai';
import { auditorOf } from '../support/auditor.ts';
import { putResources, startTestServer, type TestServer } from '../support/harness.ts';
import { personToken } from '../support/smart-flow.ts';

const FN = 'https://zorgpoort.nl/fhir/CodeSystem/referral-function';
const CLUSTER = 'https://zorgpoort.nl/fhir/StructureDefinition/cluster';
const KIND = 'https://zorgpoort.nl/fhir/CodeSystem/organization-kind';
const OFFERING = 'https://zorgpoort.nl/fhir/CodeSystem/offering-kind';
const AGB = 'http://fhir.nl/fhir/NamingSystem/agb-z';
const REFERRAL = { system: 'urn:oid:2.16.840.1.113883.2.4.4.30.69', code: '1' };
const DIAGNOSTICS = { system: 'http://snomed.info/sct', code: '103693007' };
const HEADER =
  'authored,kind,service_request,offering,cluster,referrer,referrer_agb,referring_organization,task_status';

const cluster = (id: string, name: string) =>
  [
    'Organization',
    id,
    {
      name,
      type: [{ coding: [{ system: KIND, code: 'cluster' }] }],
      partOf: { reference: 'Organization/zkh' },
    },
  ] as const;
const role = (id: string, person: string, org: string, code: string, clusters: string[] = []) =>
  [
    'PractitionerRole',
    id,
    {
      ...(clusters.length
        ? {
            extension: clusters.map((c) => ({
              url: CLUSTER,
              valueReference: { reference: `Organization/${c}` },
            })),
          }
        : {}),
      active: true,
      practitioner: { reference: `Practitioner/${person}` },
      organization: { reference: `Organization/${org}` },
      code: [{ coding: [{ system: FN, code }] }],
      ...(code === 'gp' ? { identifier: [{ system: AGB, value: '01001234' }] } : {}),
    },
  ] as const;
const offering = (id: string, name: string, org: string, inCluster?: string) =>
  [
    'HealthcareService',
    id,
    {
      ...(inCluster
        ? { extension: [{ url: CLUSTER, valueReference: { reference: `Organization/${inCluster}` } }] }
        : {}),
      providedBy: { reference: `Organization/${org}` },
      category: [{ coding: [{ system: OFFERING, code: 'referral' }] }],
      name,
    },
  ] as const;
const request = (id: string, org: string, service: string, authoredOn: string, category = REFERRAL) =>
  [
    'ServiceRequest',
    id,
    {
      status: 'active',
      intent: 'order',
      category: [{ coding: [category] }],
      subject: { reference: 'Patient/p1' },
      requester: { reference: 'PractitionerRole/gp-role' },
      performer: [{ reference: `Organization/${org}` }, { reference: `HealthcareService/${service}` }],
      reasonCode: [{ coding: [{ system: 'http://hl7.org/fhir/sid/icpc-1-nl', code: 'K74' }] }],
      authoredOn,
    },
  ] as const;

/** CSV rows (RFC 4180, CRLF) as arrays of fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('referral report: CSV of the referrals an organisation received, per cluster (seed 003)', function () {
  this.timeout(120_000);
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const report = async (as: string, query: string, language = 'en') => {
    const res = await server.fetchBare(
      /^https?:/.test(query) ? query : `Organization/zkh/$referral-report?${query}`,
      { headers: { authorization: tokens[as]!, accept: 'text/csv', 'accept-language': language } },
    );
    return { res, text: await res.text() };
  };

  before(async () => {
    server = await startTestServer({}, { config: { smart: { devLogin: true, cookieKeys: [] } } });
    await putResources(server, [
      ['Organization', 'zkh', { name: 'Ziekenhuis Rijnstad' }],
      cluster('zkh-a', 'Cardiologie'),
      cluster('zkh-b', 'Orthopedie'),
      ['Organization', 'other', { name: 'Ander ziekenhuis' }],
      ['Organization', 'gp-org', { name: '=HYPERLINK("http://evil")' }],
      ['Practitioner', 'gp', { name: [{ family: 'Jansen', given: ['Pieter'] }] }],
      ['Practitioner', 'reportsA', { name: [{ family: 'A', given: ['Rita'] }] }],
      ['Practitioner', 'reportsAll', { name: [{ family: 'Alles', given: ['Rob'] }] }],
      ['Practitioner', 'responsible', { name: [{ family: 'Baas', given: ['Bea'] }] }],
      ['Practitioner', 'reportsOther', { name: [{ family: 'Elders', given: ['Ed'] }] }],
      role('gp-role', 'gp', 'gp-org', 'gp'),
      role('ra', 'reportsA', 'zkh', 'admin-reports', ['zkh-a']),
      role('rall', 'reportsAll', 'zkh', 'admin-reports'),
      role('resp', 'responsible', 'zkh', 'admin-responsible'),
      role('rother', 'reportsOther', 'other', 'admin-reports'),
      offering('hs-a', 'Cardiologie, "poli"', 'zkh', 'zkh-a'),
      offering('hs-b', 'Orthopedie poli', 'zkh', 'zkh-b'),
      offering('hs-none', 'Algemeen', 'zkh'),
      offering('hs-other', 'Elders poli', 'other'),
      [
        'Patient',
        'p1',
        {
          identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999911120' }],
          name: [{ family: 'Geheim', given: ['Greta'] }],
          birthDate: '1961-04-23',
        },
      ],
      request('sr-a1', 'zkh', 'hs-a', '2026-11-10T09:30:00+01:00'),
      request('sr-a2', 'zkh', 'hs-a', '2026-11-20T10:00:00+01:00', DIAGNOSTICS),
      request('sr-b1', 'zkh', 'hs-b', '2026-11-12T08:00:00+01:00'),
      request('sr-none', 'zkh', 'hs-none', '2026-11-13T08:00:00+01:00'),
      request('sr-other', 'other', 'hs-other', '2026-11-14T08:00:00+01:00'),
      request('sr-old', 'zkh', 'hs-a', '2025-01-01T08:00:00+01:00'),
      [
        'Task',
        'task-a1',
        {
          status: 'accepted',
          intent: 'order',
          focus: { reference: 'ServiceRequest/sr-a1' },
          for: { reference: 'Patient/p1' },
          owner: { reference: 'Organization/zkh' },
        },
      ],
    ]);
    for (const who of ['reportsA', 'reportsAll', 'responsible', 'reportsOther']) {
      tokens[who] = await personToken(server, `Practitioner/${who}`);
    }
  });
  after(() => server?.close());

  it("an admin of cluster A gets cluster A's referrals and requests of the period only, as RFC 4180 CSV, nothing of the patient", async () => {
    const { res, text } = await report('reportsA', 'from=2026-11-01&to=2026-11-30');
    expect(res.status, text).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect(text.startsWith(`${HEADER}\r\n`)).to.equal(true);
    const [header, ...rows] = parseCsv(text);
    expect(header!.join(',')).to.equal(HEADER);
    expect(rows.map((r) => r[2])).to.deep.equal(['ServiceRequest/sr-a1', 'ServiceRequest/sr-a2']);
    expect(rows[0]).to.deep.equal([
      '2026-11-10T09:30:00+01:00',
      'referral',
      'ServiceRequest/sr-a1',
      'Cardiologie, "poli"',
      'Cardiologie',
      'Pieter Jansen',
      '01001234',
      `'=HYPERLINK("http://evil")`, // a formula is made text
      'accepted',
    ]);
    expect(rows[1]![1]).to.equal('diagnostics');
    expect(rows[1]![8]).to.equal('');
    // RFC 4180 quoting on the wire: the comma and the doubled quotes.
    expect(text).to.contain('"Cardiologie, ""poli"""');
    for (const secret of ['Greta', 'Geheim', '999911120', '1961', 'K74', 'Patient/']) {
      expect(text).not.to.contain(secret);
    }
    // The referrals read are in the patient's access log, as the admin's.
    const events = await (await auditorOf(server)).search('agent=Practitioner/reportsA');
    expect(JSON.stringify(events)).to.contain('Patient/p1').and.contain('referral-report');
  });

  it('an admin of the whole organisation gets every cluster and offerings in none; never another receiver’s', async () => {
    const { res, text } = await report('reportsAll', 'from=2026-11-01&to=2026-11-30');
    expect(res.status).to.equal(200);
    const ids = parseCsv(text)
      .slice(1)
      .map((r) => r[2]);
    expect(ids).to.deep.equal([
      'ServiceRequest/sr-a1',
      'ServiceRequest/sr-b1',
      'ServiceRequest/sr-none',
      'ServiceRequest/sr-a2',
    ]);
    // Another organisation's reports admin gets nothing of this one, nor does a responsible admin.
    expect((await report('reportsOther', 'from=2026-11-01&to=2026-11-30')).res.status).to.equal(403);
    const other = await report('responsible', 'from=2026-11-01&to=2026-11-30');
    expect(other.res.status).to.equal(403);
    expect(other.text).to.contain('admin-reports');
  });

  it('pages with a next link, and refuses a missing, reversed or too long period', async () => {
    const first = await report('reportsAll', 'from=2026-11-01&to=2026-11-30&_count=2');
    expect(parseCsv(first.text).slice(1)).to.have.length(2);
    const next = /<([^>]+)>; rel="next"/.exec(first.res.headers.get('link') ?? '')![1]!;
    const second = await report('reportsAll', next);
    expect(second.res.status).to.equal(200);
    expect(
      parseCsv(second.text)
        .slice(1)
        .map((r) => r[2]),
    ).to.deep.equal(['ServiceRequest/sr-none', 'ServiceRequest/sr-a2']);
    expect(second.res.headers.get('link')).to.equal(null);
    const long = await report('reportsAll', 'from=2025-01-01&to=2026-11-30', 'nl');
    expect(long.res.status).to.equal(400);
    expect(long.text).to.contain('366 dagen');
    expect((await report('reportsAll', 'from=2026-11-30&to=2026-11-01')).res.status).to.equal(400);
    expect((await report('reportsAll', 'from=2026-11-01')).res.status).to.equal(400);
    expect((await report('reportsAll', 'from=2026-11-01&to=2026-11-30&_count=0')).res.status).to.equal(400);
  });
});
