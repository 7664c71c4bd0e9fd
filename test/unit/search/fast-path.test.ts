import { expect } from 'chai';
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4/index.js';
import { readdirSync, readFileSync } from 'node:fs';
import { compileFastPath } from '../../../server/fhir/search/registry/fast-path.ts';
import { partsForType } from '../../../server/fhir/search/registry/expression.ts';
import { createIndexer } from '../../../server/fhir/search/extract/indexer.ts';
import {
  defaultSearchParameterFiles,
  loadCompartmentDefinition,
  loadSearchParameters,
  patientCompartmentFile,
  SearchParamRegistry,
} from '../../../server/fhir/search/registry/registry.ts';

const fixtures = new URL('../../fixtures/', import.meta.url);

function resources(): { resourceType: string }[] {
  const out: { resourceType: string }[] = [];
  for (const f of readdirSync(new URL('r4/examples/', fixtures))) {
    const r = JSON.parse(readFileSync(new URL(`r4/examples/${f}`, fixtures), 'utf8'));
    if (r.resourceType !== 'Bundle') out.push(r);
  }
  for (const f of readdirSync(new URL('synthea/', fixtures))) {
    if (!f.endsWith('.json')) continue;
    const b = JSON.parse(readFileSync(new URL(`synthea/${f}`, fixtures), 'utf8'));
    for (const e of b.entry) out.push(e.resource);
  }
  return out;
}

/** fhirpath.js reports backbone elements as BackboneElement and some decimals wrapped. */
function normalise(nodes: any[]): string[] {
  return nodes
    .map((n) => {
      const data = n.data?.constructor?.name === 'FP_Decimal' ? Number(n.data.toString()) : n.data;
      const type = /_/.test(n.fhirNodeDataType ?? '') ? 'BackboneElement' : n.fhirNodeDataType;
      return JSON.stringify([type, data]);
    })
    .sort();
}

describe('search: the plain-path fast path selects exactly what fhirpath.js selects', function () {
  this.timeout(120_000);
  it('for every SearchParameter part on every official example and Synthea resource', () => {
    const definitions = loadSearchParameters(defaultSearchParameterFiles);
    const all = resources();
    const byType = new Map<string, { resourceType: string }[]>();
    for (const r of all) byType.set(r.resourceType, [...(byType.get(r.resourceType) ?? []), r]);
    let compared = 0;
    const differences: string[] = [];
    for (const def of definitions) {
      // _id and _lastUpdated are resource columns, never evaluated by the indexer.
      if (!def.expression || def.code === '_id' || def.code === '_lastUpdated') continue;
      for (const [type, list] of byType) {
        for (const part of partsForType(def.expression, type)) {
          const fast = compileFastPath(part.expression, type);
          if (!fast) continue;
          const slow = fhirpath.compile(part.expression, r4, { resolveInternalTypes: false });
          for (const r of list) {
            compared++;
            const a = normalise(fast(r));
            const b = normalise(slow(r) as any[]);
            if (JSON.stringify(a) !== JSON.stringify(b) && differences.length < 10) {
              differences.push(
                `${type} ${part.expression}: fast ${a.join(',')} vs fhirpath ${b.join(',')}`.slice(0, 400),
              );
            }
          }
        }
      }
    }
    expect(differences).to.deep.equal([]);
    expect(compared).to.be.greaterThan(10_000);
  });

  it('and the indexer writes the same rows with it as with fhirpath.js alone (composites included)', () => {
    const definitions = loadSearchParameters(defaultSearchParameterFiles);
    const compartments = [loadCompartmentDefinition(patientCompartmentFile)];
    const fast = createIndexer(new SearchParamRegistry(definitions), compartments);
    const slow = createIndexer(new SearchParamRegistry(definitions, { fastPath: false }), compartments);
    let rows = 0;
    for (const r of resources()) {
      const a = fast(r as any);
      const b = slow(r as any);
      const key = (x: typeof a) =>
        [...x.rows.map((row) => JSON.stringify(row)), ...x.compartments.map((c) => JSON.stringify(c))].sort();
      expect(key(a), `${r.resourceType}/${(r as any).id}`).to.deep.equal(key(b));
      rows += a.rows.length;
    }
    expect(rows).to.be.greaterThan(20_000);
  });
});
