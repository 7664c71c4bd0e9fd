import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { substitutePlaceholders } from '../../conformance/runner/placeholders.ts';
import { useFhirServer } from '../support/client.ts';
import { FHIR_JSON, FHIR_XML } from '../support/harness.ts';

/**
 * The searches of the Nictiz MP9 (3.0.0) TestScripts for one patient (R. van XXX_Sonnenberg,
 * BSN 999901084), vendored in conformance/nictiz/MP9-one-patient-Test/. The patient's fixtures
 * are PUT with their date placeholders resolved against T = today; then every search of the
 * 92 server-role scripts runs over HTTP, in the format the script asks for, and every
 * `Bundle.entry.where(resource.is(X)).count() = N` assert that follows it is checked. The full
 * TestScript runner lives in conformance/runner/; this is the search-level check that the data
 * and the (Nictiz) search parameters give the counts the scripts expect.
 */

const ROOT = fileURLToPath(new URL('../../conformance/nictiz/MP9-one-patient-Test/', import.meta.url));
const FIXTURES = join(ROOT, '_reference/fixtures');
const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn|999901084';
/** T: the date the fixtures and the queries are relative to. */
const TODAY = new Date();

type Json = Record<string, any>;

interface Search {
  script: string;
  resource: string;
  accept: 'json' | 'xml';
  /** The query string as the script has it, variables and dates resolved, not yet encoded. */
  params: string;
  counts: { type: string; count: number }[];
}

const decodeXml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;|&#34;/g, '"')
    .replace(/&apos;|&#39;/g, "'")
    .replace(/&amp;/g, '&');

const attr = (xml: string, element: string) =>
  new RegExp(`<${element} value="([^"]*)"`).exec(xml)?.[1] ?? undefined;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

const COUNT = /^Bundle\.entry\.where\(resource\.is\((\w+)\)\)\.count\(\) = (\d+)$/;

/** The search operations of a TestScript, each with the count asserts that follow it. */
function searchesOf(file: string): Search[] {
  const xml = readFileSync(file, 'utf8');
  const variables = new Map<string, string>();
  for (const [, body] of xml.matchAll(/<(?:f:)?variable\b[^>]*>([\s\S]*?)<\/(?:f:)?variable>/g)) {
    const name = attr(body!, '(?:f:)?name');
    const value = attr(body!, '(?:f:)?defaultValue');
    if (name !== undefined && value !== undefined) variables.set(name, decodeXml(value));
  }
  const resolve = (s: string) =>
    substitutePlaceholders(
      s.replace(/\$\{([A-Za-z][\w-]*)\}/g, (m, name: string) => variables.get(name) ?? m),
      TODAY,
    );
  const searches: Search[] = [];
  for (const [, action] of xml.matchAll(/<action>([\s\S]*?)<\/action>/g)) {
    const operation = /<operation>([\s\S]*?)<\/operation>/.exec(action!)?.[1];
    if (operation) {
      expect(attr(operation, 'code'), `${file}: only search operations`).to.equal('search');
      searches.push({
        script: relative(ROOT, file),
        resource: attr(operation, 'resource')!,
        accept: attr(operation, 'accept') === 'xml' ? 'xml' : 'json',
        params: resolve(decodeXml(attr(operation, 'params')!)).replace(/^\?/, ''),
        counts: [],
      });
      continue;
    }
    const expression = decodeXml(attr(action!, 'expression') ?? '');
    const m = COUNT.exec(expression);
    if (m) searches.at(-1)!.counts.push({ type: m[1]!, count: Number(m[2]) });
  }
  return searches;
}

/** Touchstone's `encodeRequestUrl`: each value percent-encoded, names as they are. */
function encodeQuery(params: string): string {
  return params
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return `${p.slice(0, eq)}=${encodeURIComponent(p.slice(eq + 1))}`;
    })
    .join('&');
}

const scripts = walk(ROOT)
  .filter((f) => /[\\/]Serving-MGB-[^\\/]+[\\/][^\\/]+\.xml$/.test(f))
  .sort();
const searches = scripts.flatMap(searchesOf);

/** The searches by query: the json and xml variant of a scenario share one. */
const byQuery = new Map<string, Search[]>();
for (const s of searches) {
  const key = `${s.resource}?${s.params}`;
  byQuery.set(key, [...(byQuery.get(key) ?? []), s]);
}

/** Resource type and mode of each entry of a searchset, in either format. */
function entriesOf(body: string, accept: 'json' | 'xml'): { type: string; mode: string }[] {
  if (accept === 'json') {
    return ((JSON.parse(body) as Json).entry ?? []).map((e: Json) => ({
      type: e.resource?.resourceType as string,
      mode: (e.search?.mode as string) ?? 'match',
    }));
  }
  return body
    .split('<entry>')
    .slice(1)
    .map((e) => ({
      type: /<resource>\s*<(\w+)/.exec(e)?.[1] ?? '',
      mode: /<search>\s*<mode value="(\w+)"/.exec(e)?.[1] ?? 'match',
    }));
}

const tally = (types: string[]) => {
  const counts: Record<string, number> = {};
  for (const t of types) counts[t] = (counts[t] ?? 0) + 1;
  return counts;
};

/** The fixtures to load: every resource, not the 7 expected searchset Bundles. */
const fixtureFiles = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.xml') && !f.startsWith('mg-mp-mg-'))
  .sort();

describe('Nictiz MP9 one-patient TestScripts: searches and counts', function () {
  const env = useFhirServer();

  before(async () => {
    const failures: string[] = [];
    for (const file of fixtureFiles) {
      const xml = substitutePlaceholders(readFileSync(join(FIXTURES, file), 'utf8'), TODAY);
      const type = /^\s*(?:<\?xml[^>]*>\s*)?<(\w+)/.exec(xml)?.[1];
      const id = attr(xml, 'id');
      const res = await env.server.fetch(`${type}/${id}`, {
        method: 'PUT',
        headers: { 'Content-Type': FHIR_XML, Accept: FHIR_JSON },
        body: xml,
      });
      if (res.status !== 200 && res.status !== 201)
        failures.push(`${file}: ${res.status} ${await res.text()}`);
      else await res.body?.cancel();
    }
    expect(failures).to.deep.equal([]);
  });

  it('has the 92 scripts, 68 fixtures and 46 distinct queries it expects', () => {
    expect(scripts).to.have.length(92);
    expect(fixtureFiles).to.have.length(68);
    expect(searches).to.have.length(92);
    expect(byQuery.size).to.equal(46);
    for (const s of searches) {
      expect(s.params, s.script).to.match(
        new RegExp(`^patient\\.identifier=${BSN.replace(/[.|]/g, '\\$&')}&`),
      );
      expect(s.params, `${s.script}: unresolved variable`).not.to.include('${');
      expect(s.counts, `${s.script}: count asserts`).to.have.length.above(0);
    }
  });

  it('knows every parameter, chain and _include the scripts use', async () => {
    // An unknown parameter is refused (strict handling is the default), so none can hide
    // behind a count that happens to match.
    const refused: string[] = [];
    for (const [query, [s]] of byQuery) {
      const res = await env.server.fetch(`${s!.resource}?${encodeQuery(s!.params)}`, {
        headers: { Accept: FHIR_JSON },
      });
      if (res.status !== 200) refused.push(`${query}: ${res.status} ${await res.text()}`);
      else await res.body?.cancel();
    }
    expect(refused).to.deep.equal([]);
  });

  for (const [query, group] of byQuery) {
    const filter = group[0]!.params
      .split('&')
      .filter((p) => !p.startsWith('_include') && !p.startsWith('patient.identifier='))
      .join('&');
    it(`${group[0]!.resource}?${filter}`, async () => {
      const problems: string[] = [];
      for (const accept of new Set(group.map((s) => s.accept))) {
        const [resource, params] = [group[0]!.resource, group[0]!.params];
        const res = await env.server.fetch(`${resource}?${encodeQuery(params)}`, {
          headers: { Accept: accept === 'xml' ? FHIR_XML : FHIR_JSON },
        });
        const body = await res.text();
        if (res.status !== 200) {
          problems.push(`${accept}: HTTP ${res.status} ${body.slice(0, 500)}`);
          continue;
        }
        const entries = entriesOf(body, accept);
        const found = tally(entries.map((e) => e.type));
        for (const s of group.filter((g) => g.accept === accept)) {
          for (const { type, count } of s.counts) {
            if ((found[type] ?? 0) !== count)
              problems.push(`${s.script}: ${type} count ${found[type] ?? 0}, expected ${count}`);
          }
        }
        // The generic assert of every script: total ≤ the number of match entries.
        const total = accept === 'json' ? (JSON.parse(body) as Json).total : attr(body, 'total');
        const matches = entries.filter((e) => e.mode === 'match').length;
        if (total !== undefined && Number(total) > matches)
          problems.push(`${accept}: total ${total} > ${matches} match entries`);
      }
      expect(problems, query).to.deep.equal([]);
    });
  }

  describe('the expected searchset Bundles (mg-mp-mg-tst-<block>-Scenarioset0-v30.xml)', () => {
    const blocks = readdirSync(FIXTURES)
      .filter((f) => f.startsWith('mg-mp-mg-tst-'))
      .sort();

    it('are 7, one per building block', () => expect(blocks).to.have.length(7));

    for (const file of blocks) {
      const block = /^mg-mp-mg-tst-(\w+)-Scenarioset0/.exec(file)![1]!;
      it(`${block}: the unfiltered search matches the same building blocks and includes the same medication`, async () => {
        const expected = readFileSync(join(FIXTURES, file), 'utf8')
          .split('<entry>')
          .slice(1)
          .map((e) => ({
            type: /<resource>\s*<(\w+)/.exec(e)![1]!,
            mode: /<search>\s*<mode value="(\w+)"/.exec(e)![1]!,
            // A building block's own identifier is its first one (basedOn identifiers follow).
            identifier: /<identifier>\s*<system value="[^"]*"\/>\s*<value value="([^"]*)"/.exec(e)?.[1],
          }));
        // The scenario's first script searches the block without a filter.
        const search = searches.find((s) => s.script.includes(`-${block}-00-1-json`))!;
        const res = await env.server.fetch(`${search.resource}?${encodeQuery(search.params)}`, {
          headers: { Accept: FHIR_JSON },
        });
        expect(res.status).to.equal(200);
        const bundle = (await res.json()) as Json;
        const ours = (bundle.entry as Json[]).map((e) => ({
          type: e.resource.resourceType as string,
          mode: e.search?.mode as string,
          identifier: e.resource.identifier?.[0]?.value as string | undefined,
        }));
        const matchIds = (list: typeof ours) =>
          list
            .filter((e) => e.mode === 'match')
            .map((e) => `${e.type} ${e.identifier}`)
            .sort();
        expect(matchIds(ours)).to.deep.equal(matchIds(expected));
        const medications = (list: typeof ours) =>
          list.filter((e) => e.mode === 'include' && e.type === 'Medication').length;
        expect(medications(ours)).to.equal(medications(expected));
      });
    }
  });
});
