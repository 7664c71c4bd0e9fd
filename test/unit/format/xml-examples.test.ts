import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseFhirXml, toFhirXml } from '../../../server/fhir/format/xml/index.ts';
import { expectWellFormedFhirXml } from './helpers.ts';

const examplesDir = new URL('../../fixtures/r4/examples/', import.meta.url);
const files = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.json'))
  .sort();

// Every official example round-trips exactly: JSON.parse has already reduced each decimal to a
// double, and the XML writer emits the shortest lexical form that reads back as that same double.
describe('FHIR XML round trip of the official R4 examples', () => {
  it('finds all 704 examples', () => {
    expect(files).to.have.length(704);
  });

  for (const [i, file] of files.entries()) {
    it(`JSON -> XML -> JSON: ${file}`, () => {
      const json = JSON.parse(readFileSync(new URL(file, examplesDir), 'utf8')) as Record<string, unknown>;
      // Alternate layouts so that both the compact and the indented writer are covered.
      const xml = toFhirXml(json, { pretty: i % 2 === 0 });
      expectWellFormedFhirXml(xml);
      expect(parseFhirXml(xml)).to.deep.equal(json);
    });
  }
});
