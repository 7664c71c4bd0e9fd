import { expect } from 'chai';
import { useFhirServer, type FhirClient } from '../support/client.ts';
import type { TestServer } from '../support/harness.ts';
import {
  createOne,
  linkOf,
  matchIdsInOrder,
  putAll,
  searchset,
  type Json,
} from '../support/search-fixtures.ts';

/**
 * Paging: following `next` links returns every match exactly once, in `_sort` order; `previous`
 * returns the page before exactly; and pages stay whole while other clients insert.
 */

const TAG = 'urn:zorgpoort:test|paging';
const PAGE = 5;

/** 37 Patients with tied families, genders and birth dates, some without; ids not in insertion order. */
function pagingPatients(): Json[] {
  const families = ['de', 'ab', 'cd', 'ab', 'ef', 'cd'];
  const out: Json[] = [];
  for (let i = 0; i < 37; i++) {
    // A permutation of 0..36, so that rid order, id order and sort order all differ.
    const n = (i * 17) % 37;
    const id = `pg-${String(n).padStart(2, '0')}`;
    const resource: Json = {
      resourceType: 'Patient',
      id,
      meta: { tag: [{ system: 'urn:zorgpoort:test', code: 'paging' }] },
    };
    if (n % 7 !== 3) resource.name = [{ family: families[n % families.length] }];
    if (n % 3 !== 2) resource.gender = n % 3 === 0 ? 'male' : 'female';
    if (n % 5 !== 2) resource.birthDate = `19${String(50 + (n % 6)).padStart(2, '0')}-0${1 + (n % 3)}-15`;
    out.push(resource);
  }
  return out;
}

type Key = string | undefined;
type SortSpec = { key: (r: Json) => Key; descending: boolean }[];

const family = (r: Json): Key => r.name?.[0]?.family;
const birthDate = (r: Json): Key => r.birthDate;

/** Compares two resources by a sort spec: missing values last in either direction; 0 for a tie. */
function compare(spec: SortSpec, a: Json, b: Json): number {
  for (const { key, descending } of spec) {
    const x = key(a);
    const y = key(b);
    if (x === y) continue;
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    const c = x < y ? -1 : 1;
    return descending ? -c : c;
  }
  return 0;
}

interface Walk {
  pages: Json[][];
  bundles: Json[];
}

/** Follows `next` links from the first page to the end (at most 50 pages). */
async function walk(server: TestServer, first: string): Promise<Walk> {
  const pages: Json[][] = [];
  const bundles: Json[] = [];
  let url: string | undefined = first;
  while (url) {
    expect(pages.length, 'the next links do not end').to.be.below(50);
    const b = await searchset(server, url);
    bundles.push(b);
    pages.push((b.entry ?? []).filter((e: Json) => e.search.mode === 'match').map((e: Json) => e.resource));
    url = linkOf(b, 'next');
  }
  return { pages, bundles };
}

function expectEachOnce(pages: Json[][], expectedIds: string[]): void {
  const seen = pages.flat().map((r) => r.id as string);
  const duplicates = seen.filter((id, i) => seen.indexOf(id) !== i);
  expect(duplicates, 'returned more than once').to.deep.equal([]);
  expect([...seen].sort()).to.deep.equal([...expectedIds].sort());
}

function expectOrdered(spec: SortSpec, rows: Json[]): void {
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1]!, rows[i]!];
    expect(
      compare(spec, a, b),
      `${a.id} (${spec.map((s) => s.key(a))}) before ${b.id} (${spec.map((s) => s.key(b))})`,
    ).to.be.at.most(0);
  }
}

describe('search paging', function () {
  const env = useFhirServer();
  const all = pagingPatients();
  const allIds = all.map((r) => r.id as string);

  before(async () => {
    // One at a time, so that every version has its own instant and the rid order is known.
    for (const r of all) await putAll(env.server, [r]);
  });

  const cases: { sort: string | undefined; spec: SortSpec }[] = [
    { sort: 'birthdate', spec: [{ key: birthDate, descending: false }] },
    { sort: '-birthdate', spec: [{ key: birthDate, descending: true }] },
    { sort: 'family', spec: [{ key: family, descending: false }] },
    {
      sort: 'family,-birthdate',
      spec: [
        { key: family, descending: false },
        { key: birthDate, descending: true },
      ],
    },
    { sort: 'gender', spec: [{ key: (r) => r.gender, descending: false }] },
    { sort: '_lastUpdated', spec: [{ key: (r) => r.meta.lastUpdated, descending: false }] },
    { sort: '-_lastUpdated', spec: [{ key: (r) => r.meta.lastUpdated, descending: true }] },
    { sort: '-_id', spec: [{ key: (r) => r.id, descending: true }] },
    { sort: undefined, spec: [] },
  ];

  for (const { sort, spec } of cases) {
    const label = sort ?? 'no _sort';
    const query = `Patient?_tag=${encodeURIComponent(TAG)}&_count=${PAGE}${sort ? `&_sort=${sort}` : ''}`;

    it(`${label}: next links return every match exactly once, in order`, async () => {
      const { pages } = await walk(env.server, query);
      expect(pages).to.have.length(Math.ceil(all.length / PAGE));
      expect(pages.slice(0, -1).every((p) => p.length === PAGE)).to.equal(true);
      expectEachOnce(pages, allIds);
      expectOrdered(spec, pages.flat());
    });

    it(`${label}: the previous link of page N gives page N-1 exactly`, async () => {
      const { pages, bundles } = await walk(env.server, query);
      expect(linkOf(bundles[0]!, 'previous')).to.equal(undefined);
      expect(linkOf(bundles.at(-1)!, 'next')).to.equal(undefined);
      for (let n = 1; n < bundles.length; n++) {
        const previous = linkOf(bundles[n]!, 'previous');
        expect(previous, `page ${n} has no previous link`).to.be.a('string');
        const back = await searchset(env.server, previous!);
        expect(matchIdsInOrder(back), `previous of page ${n}`).to.deep.equal(pages[n - 1]!.map((r) => r.id));
      }
    });
  }

  it('sorting puts resources without a value last, after ties broken consistently', async () => {
    const { pages } = await walk(
      env.server,
      `Patient?_tag=${encodeURIComponent(TAG)}&_count=${PAGE}&_sort=birthdate`,
    );
    const rows = pages.flat();
    const firstMissing = rows.findIndex((r) => r.birthDate === undefined);
    expect(firstMissing).to.equal(all.filter((r) => r.birthDate !== undefined).length);
    expect(rows.slice(firstMissing).every((r) => r.birthDate === undefined)).to.equal(true);
    // The same search twice gives the same order, ties included.
    const again = (
      await walk(env.server, `Patient?_tag=${encodeURIComponent(TAG)}&_count=${PAGE}&_sort=birthdate`)
    ).pages
      .flat()
      .map((r) => r.id);
    expect(again).to.deep.equal(rows.map((r) => r.id));
  });

  it('fhir-kit-client nextPage walks forward and prevPage walks back to the first page', async () => {
    type Pager = FhirClient & { prevPage(p: { bundle: object }): Promise<any> | undefined };
    const client = env.client as Pager;
    const first = await client.search({
      resourceType: 'Patient',
      searchParams: { _tag: TAG, _count: String(PAGE), _sort: 'family,-birthdate' },
    });
    const forward: string[][] = [matchIdsInOrder(first)];
    let bundle = first;
    for (let next = client.nextPage({ bundle }); next; next = client.nextPage({ bundle })) {
      bundle = await next;
      forward.push(matchIdsInOrder(bundle));
    }
    expectEachOnce(
      forward.map((ids) => ids.map((id) => ({ id }))),
      allIds,
    );
    const backward: string[][] = [matchIdsInOrder(bundle)];
    for (let prev = client.prevPage({ bundle }); prev; prev = client.prevPage({ bundle })) {
      bundle = await prev;
      backward.push(matchIdsInOrder(bundle));
    }
    expect(backward.reverse()).to.deep.equal(forward);
  });

  it('_total=accurate on every page is the number of matches', async () => {
    const { bundles } = await walk(
      env.server,
      `Patient?_tag=${encodeURIComponent(TAG)}&_count=${PAGE}&_total=accurate`,
    );
    expect(bundles.map((b) => b.total)).to.deep.equal(bundles.map(() => all.length));
  });

  describe('while other clients insert', () => {
    const tagOf = (code: string) => ({ system: 'urn:zorgpoort:test', code });

    /** Pages through `query`; before each of pages 2–6, 10 matching Patients are inserted concurrently. */
    async function pageWhileInserting(server: TestServer, query: string, code: string, initial: string[]) {
      const inserts: Promise<Json>[] = [];
      const insertTen = (round: number) => {
        for (let k = 0; k < 10; k++) {
          inserts.push(
            createOne(server, {
              resourceType: 'Patient',
              meta: { tag: [tagOf(code)] },
              // Families and dates that sort before, between and after the initial ones.
              name: [{ family: ['aa', 'cm', 'zz', 'ca', 'ab'][k % 5]! + round }],
              birthDate: `19${40 + k * 5}-01-01`,
            }),
          );
        }
      };
      const pages: Json[][] = [];
      let url: string | undefined = query;
      let round = 0;
      while (url) {
        expect(pages.length, 'the next links do not end').to.be.below(60);
        // The inserts race the page fetch, and have finished before the page after it.
        if (pages.length > 0 && round < 5) insertTen(round++);
        const b = await searchset(server, url);
        pages.push(
          (b.entry ?? []).filter((e: Json) => e.search.mode === 'match').map((e: Json) => e.resource),
        );
        url = linkOf(b, 'next');
        await Promise.all(inserts);
      }
      expect(inserts).to.have.length(50);
      const seen = pages.flat().map((r) => r.id as string);
      expect(
        seen.filter((id, i) => seen.indexOf(id) !== i),
        'returned more than once',
      ).to.deep.equal([]);
      const missing = initial.filter((id) => !seen.includes(id));
      expect(missing, 'resources that existed at the start but were not returned').to.deep.equal([]);
    }

    /** 40 matching Patients: six pages of 7, so that five rounds of inserts fall between pages. */
    async function seed(code: string): Promise<string[]> {
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) {
        const r = await createOne(env.server, {
          resourceType: 'Patient',
          meta: { tag: [tagOf(code)] },
          name: [{ family: ['b', 'c', 'd', 'cz'][i % 4]! + i }],
          birthDate: `19${50 + (i % 30)}-06-01`,
        });
        ids.push(r.id as string);
      }
      return ids;
    }

    const sorts = [undefined, 'family', '-_lastUpdated', 'birthdate', '-_id'];
    sorts.forEach((sort, n) => {
      it(`${sort ?? 'no _sort'}: every resource that existed at the start comes exactly once`, async function () {
        this.timeout(120_000);
        const code = `concurrent-${n}`;
        const initial = await seed(code);
        const query = `Patient?_tag=${encodeURIComponent(`urn:zorgpoort:test|${code}`)}&_count=7`;
        await pageWhileInserting(env.server, `${query}${sort ? `&_sort=${sort}` : ''}`, code, initial);
      });
    });
  });
});
