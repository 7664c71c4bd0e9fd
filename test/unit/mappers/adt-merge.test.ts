import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { decodeMessage, Hl7, Hl7Error, mapMessage } from '../../../mappers/index.ts';
import { createResourceValidator } from '../../../server/fhir/validation/index.ts';

type Json = Record<string, any>;
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/hl7/${name}`, import.meta.url));
const RAW = fixture('adt-a40-latin1.hl7');
const A40 = decodeMessage(RAW).text;
const GOLDEN = JSON.parse(fixture('adt-a40-latin1.json').toString('utf8')) as Json;
const map = (text: string) =>
  mapMessage(Hl7.parse(text), { organization: 'Organization/zkh-oost' }) as unknown as Json;
const params = (bundle: Json, name: string) =>
  bundle.entry[0].resource.parameter.filter((p: Json) => p.name === name);
const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
const PI = 'https://zorgpoort.nl/fhir/NamingSystem/patient-number/ZKH-OOST';

describe('mappers: ADT^A40 (merge) → Patient/$merge', () => {
  it('maps the golden A40 (ISO-8859-1, MRG-1 with the old hospital number and the shared BSN) to one $merge', () => {
    const bundle = map(A40);
    expect(bundle).to.deep.equal(GOLDEN);
    expect(bundle.entry).to.have.length(1);
    expect(bundle.entry[0].request).to.deep.equal({ method: 'POST', url: 'Patient/$merge' });
    // The BSN both records carry tells them apart no more: each side is found by its number.
    const value = (p: Json) => `${p.valueIdentifier.system}|${p.valueIdentifier.value}`;
    expect(params(bundle, 'source-patient-identifier').map(value)).to.deep.equal([`${PI}|7650001`]);
    expect(params(bundle, 'target-patient-identifier').map(value)).to.deep.equal([`${PI}|7654321`]);
    const result = params(bundle, 'result-patient')[0].resource;
    expect(result.name[0].given).to.deep.equal(['Renée', 'M.']);
    expect(result.identifier.map((i: Json) => i.value)).to.deep.equal(['7654321', '999911120']);
  });

  it('reads MRG as python3-hl7 does', () => {
    const run = spawnSync(
      '/usr/bin/python3',
      [new URL('../../support/hl7_oracle.py', import.meta.url).pathname, 'latin1'],
      { input: RAW },
    );
    expect(run.status, run.stderr.toString()).to.equal(0);
    const values = JSON.parse(run.stdout.toString('utf8')) as [
      number,
      string,
      number,
      number,
      number,
      number,
      string,
    ][];
    const m = Hl7.parse(A40);
    const mrg = values.filter((v) => v[1] === 'MRG');
    expect(mrg.length).to.be.greaterThan(8);
    for (const [si, , field, rep, comp, sub, value] of mrg) {
      expect(m.value(m.segments[si]!, field, comp, sub, rep), `MRG-${field}[${rep}].${comp}.${sub}`).to.equal(
        value,
      );
    }
  });

  it('the survivor it sends conforms to nl-core-Patient', () => {
    const validator = createResourceValidator();
    const result = params(map(A40), 'result-patient')[0].resource;
    const bad = [
      ...validator.validate(result),
      ...validator.profiles.validate(result, 'http://nictiz.nl/fhir/StructureDefinition/nl-core-Patient')!,
    ].filter((i) => i.severity === 'error' || i.severity === 'fatal');
    expect(bad).to.deep.equal([]);
  });

  it('a record known by its BSN alone is found by it', () => {
    const bundle = map(
      A40.replace('MRG|7650001^^^ZKH-OOST^PI~', 'MRG|').replace(
        '999911120^^^NLMINBIZA^NNNLD||||||',
        '999999990^^^NLMINBIZA^NNNLD||||||',
      ),
    );
    expect(params(bundle, 'source-patient-identifier').map((p: Json) => p.valueIdentifier)).to.deep.equal([
      { system: BSN, value: '999999990' },
    ]);
  });

  it('refuses, naming MRG-1: no MRG, an empty MRG-1, MRG-1 naming the survivor itself, two merges', () => {
    const noMrg = A40.replace(/MRG\|[^\r]*\r/, '');
    expect(() => map(noMrg)).to.throw(Hl7Error, /MRG-1.*required/);
    try {
      map(noMrg);
    } catch (err) {
      expect(err).to.include({ segment: 'MRG', field: 1 });
    }
    expect(() => map(A40.replace(/MRG\|[^|\r]*/, 'MRG|'))).to.throw(Hl7Error, /MRG-1/);
    const itself = A40.replace('MRG|7650001', 'MRG|7654321');
    expect(() => map(itself)).to.throw(Hl7Error, /survivor|surviving/);
    const twice = `${A40}MRG|1111111^^^ZKH-OOST^PI\r`;
    expect(() => map(twice)).to.throw(Hl7Error, /one merge per A40/);
  });
});
