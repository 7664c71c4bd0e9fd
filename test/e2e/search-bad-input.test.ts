import { expect } from 'chai';
import { useFhirServer } from '../support/client.ts';
import type { TestServer } from '../support/harness.ts';
import { ask, linkOf, putAll, searchset, type Answer } from '../support/search-fixtures.ts';

/**
 * Malformed searches: each is a 400 OperationOutcome whose error names the parameter, never a
 * 500, and no answer ever shows SQL. Hostile searches (huge OR lists, huge values) are refused
 * or answered correctly, and the server keeps answering afterwards.
 */

const SQL = /select|from idx_|where /i;

function expectRefused(a: Answer, name: string, what: string): void {
  expect(a.status, `${what} → ${a.text.slice(0, 300)}`).to.equal(400);
  expect(a.body.resourceType, what).to.equal('OperationOutcome');
  const errors = (a.body.issue as { severity: string; diagnostics?: string }[]).filter(
    (i) => i.severity === 'error',
  );
  expect(errors.length, `${what}: no issue with severity error`).to.be.greaterThan(0);
  expect(
    errors.some((i) => i.diagnostics?.includes(name)),
    `${what}: no error diagnostics names '${name}': ${JSON.stringify(a.body.issue)}`,
  ).to.equal(true);
  expect(a.text, `${what}: the answer shows SQL`).to.not.match(SQL);
}

/** [query, the parameter the error must name] */
const malformed: [string, string][] = [
  // Prefixes
  ['Patient?birthdate=xx2020', 'birthdate'],
  ['Observation?value-quantity=gt', 'value-quantity'],
  ['Patient?_lastUpdated=xx2020', '_lastUpdated'],
  // Dates
  ['Patient?birthdate=2020-13', 'birthdate'],
  ['Patient?birthdate=2020-02-30', 'birthdate'],
  ['Patient?birthdate=2020-01-01T25:00', 'birthdate'],
  ['Patient?birthdate=2020-01-01T10', 'birthdate'],
  [`Patient?birthdate=${encodeURIComponent('2020-01-01T10:00+15:00')}`, 'birthdate'],
  ['Patient?birthdate=tomorrow', 'birthdate'],
  ['Patient?_lastUpdated=gttomorrow', '_lastUpdated'],
  // Quantities and numbers
  [`Observation?value-quantity=${encodeURIComponent('5.4|a|b|c')}`, 'value-quantity'],
  [`Observation?value-quantity=${encodeURIComponent('5.4|http://unitsofmeasure.org')}`, 'value-quantity'],
  ['Observation?value-quantity=abc', 'value-quantity'],
  ['Observation?value-quantity=1e999', 'value-quantity'],
  ['RiskAssessment?probability=1e999', 'probability'],
  ['RiskAssessment?probability=abc', 'probability'],
  // Modifiers
  ['Patient?family:fuzzy=x', 'family:fuzzy'],
  ['Patient?gender:below=male', 'gender:below'],
  ['Patient?_id:exact=x', '_id:exact'],
  ['Patient?_content:contains=x', '_content'],
  ['Observation?subject:Nope=1', 'subject:Nope'],
  ['Patient?gender:missing=maybe', 'gender:missing'],
  ['Patient?birthdate:missing=1', 'birthdate:missing'],
  // Tokens and references
  [`Patient?gender=${encodeURIComponent('|')}`, 'gender'],
  [`Patient?identifier=${encodeURIComponent('|')}`, 'identifier'],
  [`Patient?identifier=${encodeURIComponent('a|b|c')}`, 'identifier'],
  ['Observation?subject=Patient/', 'subject'],
  ['Observation?code-value-quantity=8480-6', 'code-value-quantity'],
  // Empty values, and empty items of an OR list
  ['Patient?family=', 'family'],
  ['Patient?gender=', 'gender'],
  ['Patient?birthdate=', 'birthdate'],
  ['Patient?_id=', '_id'],
  ['Patient?_lastUpdated=', '_lastUpdated'],
  ['Observation?subject=', 'subject'],
  ['Patient?general-practitioner.name=', 'general-practitioner.name'],
  ['Patient?family=a,,b', 'family'],
  ['Patient?_id=a,,b', '_id'],
  ['Observation?code-value-string=8480-6$', 'code-value-string'],
  // Chains
  ['Patient?family.name=x', 'family.name'],
  ['Observation?code.display=x', 'code.display'],
  ['Observation?subject:Nope.name=x', 'subject:Nope.name'],
  ['Observation?subject:Organization.name=x', 'subject:Organization.name'],
  ['Patient?general-practitioner.nope=x', 'general-practitioner.nope'],
  [
    'Observation?encounter.subject.organization.partof.partof.name=x',
    'encounter.subject.organization.partof.partof.name',
  ],
  // _has
  ['Patient?_has:Nope:subject:code=x', '_has:Nope:subject:code'],
  ['Patient?_has:Observation:code:status=final', '_has:Observation:code:status'],
  ['Patient?_has:Organization:partof:name=x', '_has:Organization:partof:name'],
  ['Patient?_has:Observation:subject=x', '_has:Observation:subject'],
  ['Patient?_has:Observation:subject:nope=x', '_has:Observation:subject:nope'],
  // Result parameters
  ['Patient?_sort=nope', '_sort'],
  ['Observation?_sort=code-value-quantity', '_sort'],
  ['Patient?_sort=family&_sort=birthdate', '_sort'],
  ['Patient?_count=-1', '_count'],
  ['Patient?_count=abc', '_count'],
  ['Patient?_count=999999999', '_count'],
  ['Patient?_total=maybe', '_total'],
  ['Patient?_summary=maybe', '_summary'],
  ['Patient?_summary=true&_elements=name', '_elements'],
  ['Patient?_include=Nope:x', '_include'],
  ['Patient?_include=Patient:family', '_include'],
  ['Observation?_include=Observation:subject:Nope', '_include'],
  ['Patient?_revinclude=Observation:code', '_revinclude'],
  ['Patient?_type=Observation', '_type'],
  ['?_type=Nope', '_type'],
  ['Patient?_elements=name.family', '_elements'],
  ['Patient?_elements=', '_elements'],
  ['Patient?_elements=1abc', '_elements'],
  ['Patient?_cursor=garbage', '_cursor'],
];

/** A `_cursor` value as the server encodes it: base64url JSON [direction, keys, rid, maxRid]. */
const cursor = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');

describe('search: malformed input is a 400 that names the parameter', function () {
  const env = useFhirServer();

  before(async () => {
    await putAll(env.server, [
      { resourceType: 'Patient', id: 'bad-1', name: [{ family: 'Alfa' }], birthDate: '1970-01-01' },
      { resourceType: 'Patient', id: 'bad-2', name: [{ family: 'Beta' }], birthDate: '1980-01-01' },
      { resourceType: 'Patient', id: 'bad-3', name: [{ family: 'Gamma' }], birthDate: '1990-01-01' },
    ]);
  });

  for (const [query, name] of malformed) {
    it(`${decodeURIComponent(query)} → 400 naming ${name}`, async () => {
      expectRefused(await ask(env.server, query), name, query);
    });
  }

  it('POST _search refuses a malformed form body the same way', async () => {
    const a = await ask(env.server, 'Patient/_search', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'birthdate=2020-02-30',
    });
    expectRefused(a, 'birthdate', 'POST birthdate=2020-02-30');
  });

  describe('paging cursors', () => {
    let next: URL;

    before(async () => {
      const first = await searchset(env.server, 'Patient?_count=1&_sort=birthdate');
      next = new URL(linkOf(first, 'next')!);
    });

    const withCursor = (value: string) => {
      const url = new URL(next);
      url.searchParams.set('_cursor', value);
      return url.toString();
    };

    it('the untampered next link works', async () => {
      const b = await searchset(env.server, next.toString());
      expect(b.entry.map((e: any) => e.resource.id)).to.deep.equal(['bad-2']);
    });

    it('a tampered cursor (one character changed) is refused', async () => {
      const original = next.searchParams.get('_cursor')!;
      const decoded = Buffer.from(original, 'base64url').toString('utf8');
      const tampered = Buffer.from(decoded.replace(/"a"/, '"x"'), 'utf8').toString('base64url');
      expectRefused(await ask(env.server, withCursor(tampered)), '_cursor', 'direction x');
      const truncated = original.slice(0, -3);
      expectRefused(await ask(env.server, withCursor(truncated)), '_cursor', 'truncated cursor');
    });

    it('a cursor of another sort (wrong number of keys) is refused', async () => {
      const a = await ask(
        env.server,
        `Patient?_count=1&_sort=family,birthdate&_cursor=${next.searchParams.get('_cursor')}`,
      );
      expectRefused(a, '_cursor', 'one key for two sort keys');
    });

    const wrongKeys: [string, unknown[]][] = [
      ['birthdate', ['a', ['abc'], '1', '9']],
      ['birthdate', ['a', ['1.5'], '1', '9']],
      ['birthdate', ['a', ['1e999'], '1', '9']],
      ['birthdate', ['a', ['99999999999999999999'], '1', '9']],
      ['birthdate', ['a', [{ lo: 1 }], '1', '9']],
      ['family', ['a', [5], '1', '9']],
      ['_lastUpdated', ['a', ['0'], '1', '9']],
      ['_lastUpdated', ['a', ['1'], '1', '9']],
      ['_lastUpdated', ['a', ['+275760-09-13T00:00:00.000Z'], '1', '9']],
      ['birthdate', ['a', [null], '9999999999999999999', '9999999999999999999']],
      ['birthdate', ['a', [null], '1; drop table resource', '9']],
    ];
    for (const [sort, parts] of wrongKeys) {
      it(`_sort=${sort} with cursor ${JSON.stringify(parts)} → 400`, async () => {
        const a = await ask(env.server, `Patient?_count=1&_sort=${sort}&_cursor=${cursor(parts)}`);
        expectRefused(a, '_cursor', JSON.stringify(parts));
      });
    }
  });
});

describe('search: hostile input does not take the server down', function () {
  this.timeout(120_000);
  const env = useFhirServer();

  before(async () => {
    await putAll(env.server, [
      {
        resourceType: 'Patient',
        id: 'host-1',
        name: [{ family: 'Alfa' }],
        identifier: [{ system: 'urn:zorgpoort:test', value: 'v9999' }],
        birthDate: '1970-01-01',
      },
      { resourceType: 'Patient', id: 'host-2', name: [{ family: 'Beta' }], birthDate: '1980-01-01' },
    ]);
  });

  const form = (body: string): RequestInit => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  });
  const terms = (n: number, term: (i: number) => string) =>
    Array.from({ length: n }, (_, i) => term(i)).join(',');

  /** A 4xx (an OperationOutcome when the body is JSON), or a 200 with exactly `expected`. */
  function expectRefusedOrCorrect(a: Answer, expected: string[], what: string): void {
    expect(a.text, `${what}: the answer shows SQL`).to.not.match(SQL);
    if (a.status === 200) {
      const ids = (a.body.entry ?? [])
        .filter((e: any) => e.search.mode === 'match')
        .map((e: any) => e.resource.id)
        .sort();
      expect(ids, what).to.deep.equal(expected);
      return;
    }
    expect(a.status, `${what} → ${a.text.slice(0, 300)}`).to.be.within(400, 499);
    if (a.text.startsWith('{')) expect(a.body.resourceType).to.equal('OperationOutcome');
  }

  async function stillUp(server: TestServer): Promise<void> {
    const b = await searchset(server, 'Patient?family=beta');
    expect(b.entry.map((e: any) => e.resource.id)).to.deep.equal(['host-2']);
  }

  afterEach(() => stillUp(env.server));

  it('a 10,000-term _id OR list in the URL', async () => {
    const a = await ask(env.server, `Patient?_id=${terms(10_000, (i) => `id${i}`)},host-1`);
    expectRefusedOrCorrect(a, ['host-1'], 'GET _id × 10,000');
  });

  it('a 10,000-term _id OR list in a POST body', async () => {
    const a = await ask(env.server, 'Patient/_search', form(`_id=${terms(10_000, (i) => `id${i}`)},host-1`));
    expectRefusedOrCorrect(a, ['host-1'], 'POST _id × 10,000');
  });

  it('a 10,000-term string OR list', async () => {
    const a = await ask(
      env.server,
      'Patient/_search',
      form(`family=${terms(10_000, (i) => `fam${i}`)},alfa`),
    );
    expectRefusedOrCorrect(a, ['host-1'], 'POST family × 10,000');
  });

  it('a 10,000-term token OR list', async () => {
    const list = terms(10_000, (i) => encodeURIComponent(`urn:zorgpoort:test|v${i}`));
    const a = await ask(env.server, 'Patient/_search', form(`identifier=${list}`));
    expectRefusedOrCorrect(a, ['host-1'], 'POST identifier × 10,000');
  });

  it('a 10,000-term date OR list', async () => {
    const a = await ask(
      env.server,
      'Patient/_search',
      form(`birthdate=${terms(10_000, (i) => `eq${1000 + i}`)}`),
    );
    expectRefusedOrCorrect(a, ['host-1', 'host-2'], 'POST birthdate × 10,000');
  });

  it('a 30,000-term OR list (more values than one SQL statement can bind)', async () => {
    const a = await ask(
      env.server,
      'Patient/_search',
      form(`family=${terms(30_000, (i) => `fam${i}`)},alfa`),
    );
    expectRefusedOrCorrect(a, ['host-1'], 'POST family × 30,000');
  });

  it('25 parameters of 1,000 values each (more values in total than one SQL statement can bind)', async () => {
    const list = Array.from({ length: 1000 }, () => 'q').join(',');
    const body = Array.from({ length: 25 }, () => `family=${list}`).join('&');
    const a = await ask(env.server, 'Patient/_search', form(body));
    expectRefusedOrCorrect(a, [], 'family=q,q,… × 25');
  });

  it('250 repeated (ANDed) parameters answer within 3 s', async () => {
    const body = Array.from({ length: 250 }, () => 'family=a').join('&');
    const started = Date.now();
    const a = await ask(env.server, 'Patient/_search', form(body));
    const elapsed = Date.now() - started;
    expectRefusedOrCorrect(a, ['host-1'], 'family=a × 250');
    expect(elapsed, `family=a × 250 took ${elapsed} ms`).to.be.below(3000);
  });

  it('a 1,000,000-character string, token and _text value', async () => {
    const long = 'x'.repeat(1_000_000);
    for (const name of ['family', 'identifier', '_text']) {
      const a = await ask(env.server, 'Patient/_search', form(`${name}=${long}`));
      expectRefusedOrCorrect(a, [], `POST ${name}=x × 1,000,000`);
    }
  });

  it('a 50,000-character _content value answers within 3 s', async () => {
    const started = Date.now();
    const a = await ask(env.server, 'Patient/_search', form(`_content=${'x'.repeat(50_000)}`));
    const elapsed = Date.now() - started;
    expectRefusedOrCorrect(a, [], '_content=x × 50,000');
    expect(elapsed, `_content=x × 50,000 took ${elapsed} ms`).to.be.below(3000);
  });

  it('a 15,000-character value in the URL', async () => {
    const a = await ask(env.server, `Patient?family=${'x'.repeat(15_000)}`);
    expectRefusedOrCorrect(a, [], 'GET family=x × 15,000');
  });

  it('_include:iterate and _revinclude:iterate of everything on every Patient', async () => {
    const a = await ask(env.server, 'Patient?_include:iterate=*&_revinclude:iterate=*&_count=1000');
    expectRefusedOrCorrect(a, ['host-1', 'host-2'], '* iterate');
  });
});
