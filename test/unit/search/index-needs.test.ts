import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { createSearchModule } from '../../../server/fhir/search/module.ts';
import { indexNeeds, matchesInMemory } from '../../../server/fhir/search/in-memory.ts';
import type { Condition } from '../../../server/fhir/search/types.ts';

/**
 * The gate's in-memory twin indexes only what its condition reads (engine.matches). These
 * check that doing so never changes a verdict: over every example and Synthea resource, the
 * partial rows give the same answer as the full ones, for conditions of each kind.
 */
const fixtures = new URL('../../fixtures/', import.meta.url);
type R = { resourceType: string; id?: string } & Record<string, unknown>;

function resources(): R[] {
  const out: R[] = [];
  for (const f of readdirSync(new URL('r4/examples/', fixtures))) {
    const r = JSON.parse(readFileSync(new URL(`r4/examples/${f}`, fixtures), 'utf8')) as R;
    if (r.resourceType !== 'Bundle') out.push(r);
  }
  for (const f of readdirSync(new URL('synthea/', fixtures))) {
    if (!f.endsWith('.json')) continue;
    const b = JSON.parse(readFileSync(new URL(`synthea/${f}`, fixtures), 'utf8')) as {
      entry: { resource: R }[];
    };
    for (const e of b.entry) out.push(e.resource);
  }
  return out;
}

describe('in-memory matching indexes only what the condition reads', () => {
  const { engine, indexer } = createSearchModule();
  const all = resources();
  const patients = all.filter((r) => r.resourceType === 'Patient').map((r) => r.id!);
  const base = 'http://example.org/fhir';
  const tagged: Condition = {
    kind: 'index',
    table: 'token',
    params: ['Resource._tag'],
    where: [{ op: 'eq', column: 'system', value: 'https://zorgpoort.nl/fhir/CodeSystem/custodian' }],
  };
  const conditions: [string, (type: string) => Condition][] = [
    [
      'each patient compartment, with a tag probe',
      () => ({
        kind: 'each-compartment',
        compartmentType: 'Patient',
        atLeastOne: true,
        cases: [
          { ids: patients.slice(0, Math.ceil(patients.length / 2)), condition: { kind: 'not', arg: tagged } },
          { ids: patients.slice(Math.ceil(patients.length / 2)), condition: { kind: 'true' } },
        ],
      }),
    ],
    [
      'one compartment',
      () => ({ kind: 'compartment', compartmentType: 'Patient', compartmentId: patients[0]! }),
    ],
    [
      'parsed criteria (composite, date, token, narrative)',
      (type) =>
        type === 'Observation'
          ? engine.criteria(type, 'code-value-quantity=http://loinc.org|8302-2$gt100&date=ge2000', base)
              .condition
          : type === 'Patient'
            ? engine.criteria(type, 'gender=female&_text=patient', base).condition
            : { kind: 'true' },
    ],
  ];

  for (const [name, conditionFor] of conditions) {
    it(`${name}: the same verdict as with every row, for ${all.length} resources`, () => {
      let matched = 0;
      for (const r of all) {
        const c = conditionFor(r.resourceType);
        const partial = matchesInMemory(c, r, indexer(r, indexNeeds(c)));
        const full = matchesInMemory(c, r, indexer(r));
        expect(partial, `${r.resourceType}/${r.id}`).to.equal(full);
        if (full) matched++;
      }
      // Neither all nor none: a condition that decides nothing would prove nothing.
      expect(matched).to.be.greaterThan(0).and.lessThan(all.length);
    });
  }

  it('evaluates fewer parameters than the full index', () => {
    const obs = all.find((r) => r.resourceType === 'Observation')!;
    const c = conditions[1]![1]('Observation');
    const partial = indexer(obs, indexNeeds(c));
    const full = indexer(obs);
    expect(partial.compartments).to.deep.equal(full.compartments);
    expect(partial.rows.length).to.be.lessThan(full.rows.length);
    expect(partial.rows.every((row) => row.table === 'reference')).to.equal(true);
  });
});
