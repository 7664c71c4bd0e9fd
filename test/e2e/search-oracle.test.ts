import { expect } from 'chai';
import { useFhirServer } from '../support/client.ts';
import type { TestServer } from '../support/harness.ts';
import { backendToken, registerBackendClient } from '../support/smart-backend.ts';
import { countTags } from '../support/search-oracle/coverage.ts';
import { Dataset } from '../support/search-oracle/dataset.ts';
import { generate, PLAN, type Query } from '../support/search-oracle/generate.ts';
import { MINI_BASE, miniDataset } from '../support/search-oracle/mini-dataset.ts';
import { expectedIds, type QueryParams } from '../support/search-oracle/query.ts';
import { FIXTURE_COUNT, loadFixtures, searchAll } from '../support/search-oracle/server.ts';

/**
 * The search oracle: the official examples and the Synthea patients are loaded into a real
 * server, a few hundred generated searches are sent, and every answer must be exactly the set
 * of resources that an independent evaluation of the R4 SearchParameter FHIRPath (fhirpath.js)
 * under the rules of server/fhir/search/README.md selects from the stored resources.
 */

const PER_TEST = 10;
/** Another seed draws other queries from the same data: `ORACLE_SEED=7 npx mocha …`. */
const SEED = Number(process.env.ORACLE_SEED ?? 20240601);

/** What the queries must cover, at least three times each (tags from coverage.ts). */
const REQUIRED_TAGS = [
  ...'string token reference date number quantity uri composite _id _lastUpdated _tag _profile'
    .split(' ')
    .map((t) => `type:${t}`),
  ...'exact contains missing not text of-type Type identifier below above'.split(' ').map((m) => `mod:${m}`),
  ...'eq ne gt lt ge le sa eb ap'.split(' ').map((p) => `prefix:${p}`),
  'or',
  'and',
  'chain',
  'has',
];

const show = (type: string, params: QueryParams) =>
  `${type}?${params.map(([k, v]) => `${k}=${v}`).join('&')}`;

/** The difference between the server's answer and the oracle's, or undefined when they agree. */
async function check(server: TestServer, q: Query, fixtures: Set<string>): Promise<string | undefined> {
  const head = `GET ${show(q.type, q.params)}`;
  const answer = await searchAll(server, q.type, q.params);
  if ('error' in answer) return `${head}\n  ${answer.error} (expected ${q.expected.length} matches)`;
  // The access log of the test's own requests is no fixture: it is left out of the comparison.
  const own = answer.ids.filter((id) => id.startsWith('AuditEvent/') && !fixtures.has(id));
  const got = {
    ids: answer.ids.filter((id) => !own.includes(id)),
    ...(answer.total !== undefined ? { total: answer.total - own.length } : {}),
  };
  const gotSet = new Set(got.ids);
  const want = new Set(q.expected);
  const missing = q.expected.filter((id) => !gotSet.has(id));
  const unexpected = [...gotSet].filter((id) => !want.has(id)).sort();
  const problems: string[] = [];
  const list = (ids: string[]) => ids.slice(0, 12).join(', ') + (ids.length > 12 ? ` … (${ids.length})` : '');
  if (missing.length) problems.push(`missing (${missing.length}): ${list(missing)}`);
  if (unexpected.length) problems.push(`unexpected (${unexpected.length}): ${list(unexpected)}`);
  if (gotSet.size !== got.ids.length)
    problems.push(`${got.ids.length - gotSet.size} duplicate entries across pages`);
  if (got.total !== undefined && got.total !== gotSet.size)
    problems.push(`Bundle.total ${got.total} for ${gotSet.size} matches`);
  if (!problems.length) return undefined;
  return `${head}\n  expected ${want.size}, got ${gotSet.size}\n  ${problems.join('\n  ')}`;
}

describe('search oracle: every search answers exactly what the SearchParameter FHIRPath selects', function () {
  this.timeout(30_000);
  const env = useFhirServer();
  let ds: Dataset;
  let queries: Map<string, Query[]>;
  let fixtures: Set<string>;

  before(async function () {
    this.timeout(120_000);
    // The fixtures include AuditEvents, which only an auditor reads: a client whose scope names them.
    const scope = 'system/*.cruds system/AuditEvent.cruds';
    env.server.authorization = `Bearer ${await backendToken(env.server, await registerBackendClient(env.server, { scope, trusted: true }), scope)}`;
    const stored = await loadFixtures(env.server);
    fixtures = new Set(stored.map((r) => `${r.type}/${r.id}`));
    ds = new Dataset(stored, env.server.base);
    queries = generate(ds, SEED);
  });

  it(`stores all ${FIXTURE_COUNT} fixtures, with Synthea references rewritten to Type/id`, () => {
    const all = ds.types().flatMap((t) => ds.ofType(t));
    expect(all).to.have.length(FIXTURE_COUNT);
    const text = JSON.stringify(ds.ofType('Observation').map((s) => s.resource.subject));
    expect(text).to.not.include('urn:uuid:');
  });

  it('generates at least 300 queries over every parameter type, modifier and prefix, mostly non-empty', () => {
    const all = [...queries.values()].flat();
    expect(all.length).to.be.at.least(300);
    const counts = countTags(ds.defs, all);
    const thin = REQUIRED_TAGS.filter((tag) => (counts.get(tag) ?? 0) < 3).map(
      (tag) => `${tag}: ${counts.get(tag) ?? 0}`,
    );
    expect(thin, `fewer than 3 queries for ${thin.join(', ')}`).to.deep.equal([]);
    const nonEmpty = all.filter((q) => q.expected.length > 0).length;
    expect(nonEmpty / all.length, `${nonEmpty} of ${all.length} non-empty`).to.be.at.least(0.8);
  });

  for (const { group, count } of PLAN) {
    for (let start = 0; start < count; start += PER_TEST) {
      const end = Math.min(count, start + PER_TEST);
      it(`${group} ${start + 1}–${end}`, async () => {
        const failures: string[] = [];
        for (const q of queries.get(group)!.slice(start, end)) {
          const failure = await check(env.server, q, fixtures);
          if (failure) failures.push(failure);
        }
        if (failures.length)
          expect.fail(
            `${failures.length} of ${end - start} differ (seed ${SEED}):\n\n${failures.join('\n\n')}`,
          );
      });
    }
  }
});

/** Hand-worked answers over test/support/search-oracle/mini-dataset.ts (the "why" is the rule at stake). */
const SELF_CHECK: [query: string, expected: string[], why: string][] = [
  ['Patient?family=jons', ['Patient/p1', 'Patient/p2'], 'starts with, accents and case normalised'],
  ['Patient?name=zoe', ['Patient/p3'], 'HumanName.text is indexed'],
  ['Patient?family=zoe', [], 'family is not name.text'],
  ['Patient?family:exact=Jöns', ['Patient/p1'], ':exact keeps accents'],
  ['Patient?family:exact=jöns', [], ':exact keeps case'],
  ['Patient?family:contains=ONS', ['Patient/p1', 'Patient/p2'], ':contains'],
  ['Patient?address=main st\\, 5', ['Patient/p1'], 'an escaped comma is not OR'],
  ['Patient?given=anna&given=mar', ['Patient/p1'], 'repeated parameter is AND'],
  ['Patient?given=anna&given=zz', [], 'AND with a miss'],
  [
    'Observation?code=8480-6',
    ['Observation/o1', 'Observation/o4'],
    'code in any system; components are not code',
  ],
  ['Observation?code=|8480-6', [], '|code wants no system'],
  ['Observation?code=http://loinc.org|', ['Observation/o1', 'Observation/o2', 'Observation/o4'], 'system|'],
  ['Observation?code:text=bp', ['Observation/o1'], ':text on CodeableConcept.text'],
  ['Observation?code:text=SYSTOLIC', ['Observation/o1'], ':text on Coding.display'],
  ['Observation?code:not=8480-6', ['Observation/o2', 'Observation/o3'], ':not'],
  ['Patient?gender:not=female', ['Patient/p2', 'Patient/p3'], ':not includes resources without the element'],
  ['Patient?gender=female,male', ['Patient/p1', 'Patient/p2'], 'OR'],
  ['Patient?gender:missing=true', ['Patient/p3'], ':missing=true'],
  ['Patient?active=true', ['Patient/p1'], 'boolean token'],
  [
    'Patient?identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|A1',
    ['Patient/p1'],
    ':of-type',
  ],
  ['Patient?_tag=urn:t|x', ['Patient/p1'], '_tag'],
  ['Patient?birthdate=1980', ['Patient/p1', 'Patient/p2'], 'eq: the stored range lies within the year'],
  ['Patient?birthdate=1980-03', ['Patient/p1'], 'eq: the year 1980 does not lie within March'],
  ['Patient?birthdate=ge1980-03-04', ['Patient/p1', 'Patient/p2'], 'ge: eq, or ends after'],
  ['Patient?birthdate=lt1980-03-04', ['Patient/p2'], 'lt: starts before'],
  ['Patient?birthdate=sa1980-02', ['Patient/p1'], 'sa: starts after the end'],
  ['Patient?birthdate=eb1980-03-05', ['Patient/p1'], 'eb: ends before the start'],
  ['Patient?birthdate=ne1980', [], 'ne: both lie within 1980; no birthDate never matches'],
  ['Observation?date=2020-03-04T10:00', ['Observation/o1'], 'minute precision; a day is not within it'],
  [
    'Observation?date=2020-03-04',
    ['Observation/o1', 'Observation/o4'],
    'the Period 03-01..03-10 is not within',
  ],
  ['Observation?date=lt2020-03-02', ['Observation/o2'], 'Period start'],
  ['Observation?date=gt2020-12-31', ['Observation/o3'], 'an open Period end is unbounded'],
  ['Observation?date=ap2020-03-04', ['Observation/o1', 'Observation/o2', 'Observation/o4'], 'ap: ±~213 days'],
  ['Patient?death-date=2020-05-06T08:00Z', ['Patient/p2'], '10:00+02:00 is 08:00Z'],
  ['Patient?death-date=2020-05-06T08:00', ['Patient/p2'], 'no zone is UTC'],
  ['Patient?death-date=2020-05-06T10:00', [], 'no zone is UTC, not the stored zone'],
  ['Patient?_lastUpdated=gt2024-01-01T10:00:00Z', ['Patient/p2'], '_lastUpdated, second precision'],
  ['Observation?value-quantity=100', ['Observation/o1', 'Observation/o4'], '[99.5, 100.5) includes 99.5'],
  ['Observation?value-quantity=100.0', ['Observation/o1'], '[99.95, 100.05)'],
  ['Observation?value-quantity=100||mmHg', ['Observation/o1', 'Observation/o4'], '||code matches the unit'],
  ['Observation?value-quantity=100|http://unitsofmeasure.org|mm[Hg]', ['Observation/o1'], 'system|code'],
  ['Observation?value-quantity=gt99.5', ['Observation/o1'], 'gt compares with the value itself'],
  ['Observation?value-quantity=ap111', ['Observation/o1'], 'ap: within 11.1 of 111'],
  ['Observation?value-quantity=ne100', [], 'ne: both are in range; o2 has only components'],
  ['RiskAssessment?probability=0.020', ['RiskAssessment/ra1'], 'number [0.0195, 0.0205)'],
  ['RiskAssessment?probability=gt0.02', [], 'number gt'],
  ['RiskAssessment?probability=ap0.021', ['RiskAssessment/ra1'], 'number ap'],
  ['Observation?subject=Patient/p1', ['Observation/o1', 'Observation/o4'], 'Type/id'],
  ['Observation?subject=p2', ['Observation/o2'], 'id alone'],
  ['Observation?subject:Patient=p1', ['Observation/o1', 'Observation/o4'], ':Type'],
  [`Observation?subject=${MINI_BASE}/Patient/p1`, ['Observation/o1', 'Observation/o4'], "this server's base"],
  ['Observation?subject=http://other.org/fhir/Patient/9', ['Observation/o3'], 'external URL, exactly'],
  ['Observation?subject=9', [], 'an external URL has no local id'],
  ['Observation?performer:identifier=urn:npi|123', ['Observation/o3'], ':identifier'],
  ['Encounter?patient=p1', ['Encounter/e1'], 'where(resolve() is Patient)'],
  ['Encounter?patient=Group/g1', [], 'a Group is not a Patient'],
  ['Encounter?subject=Group/g1', ['Encounter/e2'], 'subject has every type'],
  ['Patient?_profile:below=http://example.org/fhir', ['Patient/p3'], 'uri :below'],
  ['Patient?_profile:above=http://example.org/fhir/StructureDefinition/p/x', ['Patient/p3'], 'uri :above'],
  ['Patient?_profile=http://example.org/fhir', [], 'uri exact'],
  ['Observation?value-quantity:missing=true', ['Observation/o2', 'Observation/o3'], ':missing'],
  [
    'Observation?component-code-value-quantity=http://loinc.org|8480-6$gt120',
    ['Observation/o2'],
    'composite within one component',
  ],
  ['Observation?component-code-value-quantity=http://loinc.org|8462-4$gt120', [], 'not across components'],
  [
    'Observation?combo-code-value-quantity=http://loinc.org|8480-6$100',
    ['Observation/o1', 'Observation/o4'],
    'the Observation itself is a group',
  ],
  [
    'ActivityDefinition?context=87512008',
    ['ActivityDefinition/ad1'],
    '(useContext.value as CodeableConcept) on a list',
  ],
  ['ActivityDefinition?context-quantity=18', ['ActivityDefinition/ad1'], 'as Quantity on a list'],
  [
    'ActivityDefinition?context-type-quantity=http://terminology.hl7.org/CodeSystem/usage-context-type|age$18',
    ['ActivityDefinition/ad1'],
    'composite over useContext',
  ],
  [
    'ActivityDefinition?context-type-quantity=http://terminology.hl7.org/CodeSystem/usage-context-type|focus$18',
    [],
    'the quantity is in the other useContext',
  ],
  [
    'Observation?subject:Patient.family=jons',
    ['Observation/o1', 'Observation/o2', 'Observation/o4'],
    'chain',
  ],
  ['Observation?subject.birthdate=1980-03', ['Observation/o1', 'Observation/o4'], 'chain without type'],
  ['Encounter?patient.family:exact=Jöns', ['Encounter/e1'], 'chain with a modifier'],
  ['Patient?_has:Observation:subject:code=85354-9', ['Patient/p2'], '_has'],
  ['Patient?_has:Observation:patient:value-quantity=lt100', ['Patient/p1'], '_has with a prefix'],
];

describe('oracle self-check', () => {
  const ds = miniDataset();
  for (const [query, expected, why] of SELF_CHECK) {
    it(`${query} → ${expected.join(', ') || 'nothing'} (${why})`, () => {
      const [type, search] = query.split('?') as [string, string];
      const params = search.split('&').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]);
      expect(expectedIds(ds, type, params as QueryParams)).to.deep.equal(expected);
    });
  }
});
