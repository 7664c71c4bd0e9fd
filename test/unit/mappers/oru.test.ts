import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { decodeMessage, Hl7, mapMessage } from '../../../mappers/index.ts';
import { parseFhirJson, stringifyFhirJson } from '../../../server/fhir/format/json.ts';
import { createResourceValidator } from '../../../server/fhir/validation/index.ts';

type Json = Record<string, any>;
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/hl7/${name}`, import.meta.url));
const ORU = decodeMessage(fixture('oru-r01-utf8.hl7')).text;
// Parsed keeping decimals as written, so deep equality also compares them (`5.0` in OBX-7).
const GOLDEN = parseFhirJson(fixture('oru-r01-utf8.json').toString('utf8')) as Json;
const map = (text: string) =>
  mapMessage(Hl7.parse(text), { organization: 'Organization/lab-oost' }) as unknown as Json;
const resources = (b: Json) => b.entry.map((e: Json) => e.resource);
const observation = (b: Json, loinc: string) =>
  resources(b).find((r: Json) => r.resourceType === 'Observation' && r.code.coding[0].code === loinc);

describe('mappers: ORU^R01 → DiagnosticReport and Observations', () => {
  const validator = createResourceValidator();

  it('maps the golden ORU^R01 (UTF-8) field by field', () => {
    const bundle = map(ORU);
    GOLDEN.entry.forEach((expected: Json, i: number) => {
      const got = bundle.entry[i];
      expect(got.request, `entry ${i}`).to.deep.equal(expected.request);
      for (const key of new Set([...Object.keys(expected.resource), ...Object.keys(got.resource)])) {
        expect(got.resource[key], `${expected.resource.resourceType}.${key}`).to.deep.equal(
          expected.resource[key],
        );
      }
    });
    expect(bundle).to.deep.equal(GOLDEN);
  });

  it('values by type, units, reference ranges and flags', () => {
    const b = map(ORU);
    const k = observation(b, '2823-3');
    expect(k.valueQuantity).to.deep.equal({
      value: 5.6,
      unit: 'mmol/L',
      system: 'http://unitsofmeasure.org',
      code: 'mmol/L',
    });
    expect(k.referenceRange[0].low.value).to.equal(3.5);
    expect(k.referenceRange[0].high.value).to.equal(5);
    expect(k.interpretation[0].coding[0].code).to.equal('H');
    expect(observation(b, '1988-5').referenceRange[0]).to.deep.include({ text: '<10' });
    expect(observation(b, '1988-5').referenceRange[0].high.value).to.equal(10);
    expect(observation(b, '33914-3').valueQuantity).to.include({ value: 60, comparator: '>' });
    expect(observation(b, '5778-6').valueCodeableConcept.coding[0]).to.include({
      system: 'http://snomed.info/sct',
      code: '371244009',
    });
    expect(observation(b, '48767-8').valueString).to.equal(
      'Monster licht hemolytisch & lipemisch.\nHerhaling geadviseerd.',
    );
    expect(observation(b, '48767-8').note).to.deep.equal([{ text: 'Gemeld aan aanvrager om 10:05' }]);
    const report = resources(b).find((r: Json) => r.resourceType === 'DiagnosticReport');
    expect(report.result).to.have.length(5);
    expect(report.presentedForm[0].contentType).to.equal('application/pdf');
    expect(Buffer.from(report.presentedForm[0].data, 'base64').toString('latin1')).to.match(/^%PDF-1\.4/);
    expect(report.performer).to.deep.equal([{ reference: 'Organization/lab-oost' }]);
  });

  it('every resource is valid FHIR; the results conform to nl-core-LaboratoryTestResult', () => {
    for (const resource of resources(map(ORU))) {
      const errors = validator
        .validate(resource)
        .filter((i) => i.severity === 'error' || i.severity === 'fatal');
      expect(errors, `${resource.resourceType}: ${JSON.stringify(errors)}`).to.deep.equal([]);
      for (const profile of resource.meta?.profile ?? []) {
        const bad = validator.profiles
          .validate(resource, profile)!
          .filter((i) => i.severity === 'error' || i.severity === 'fatal');
        expect(
          bad,
          `${resource.resourceType} ${resource.code?.text ?? ''} against ${profile}: ${JSON.stringify(bad)}`,
        ).to.deep.equal([]);
      }
    }
  });

  it('decimals keep the precision written in OBX-5 and OBX-7 (5.0, 3.50-5.00, +.50)', () => {
    const b = map(ORU.replace('|5.6|', '|5.0|').replace('|3.5-5.0|', '|3.50-5.00|'));
    const k = observation(b, '2823-3');
    expect(k.valueQuantity.value).to.equal(5);
    expect(stringifyFhirJson(k.valueQuantity)).to.match(/^\{"value":5\.0,/);
    expect(stringifyFhirJson(k.referenceRange[0].low)).to.match(/^\{"value":3\.50,/);
    expect(stringifyFhirJson(k.referenceRange[0].high)).to.match(/^\{"value":5\.00,/);
    const sn = observation(map(ORU.replace('|>^60|', '|^+.50^-^007|')), '33914-3');
    expect(stringifyFhirJson(sn.valueRange)).to.match(/"low":\{"value":0\.50,.*"high":\{"value":7,/);
    expect(stringifyFhirJson(observation(map(ORU), '1988-5').referenceRange[0].high)).to.match(
      /^\{"value":10,/,
    );
  });

  it('a correction (OBX-11 C) updates the same result; the patient is only created when unknown', () => {
    const corrected = map(
      ORU.replace('|5.6|', '|4.6|')
        .replace(/(OBX\|1\|NM\|[^\r]*\|)F(\|[^\r]*)$/m, '$1C$2')
        .replace('LAB00001', 'LAB00002'),
    );
    const before = map(ORU);
    const url = (b: Json) =>
      b.entry.find((e: Json) => e.resource.code?.coding?.[0]?.code === '2823-3').request.url;
    expect(url(corrected)).to.equal(url(before));
    expect(observation(corrected, '2823-3').status).to.equal('corrected');
    expect(observation(corrected, '2823-3').valueQuantity.value).to.equal(4.6);
    expect(before.entry[0].request).to.deep.include({ method: 'POST', url: 'Patient' });
    expect(before.entry[0].request.ifNoneExist).to.contain('999911120');
  });

  it('results with the same code and no OBX-4 are told apart by their set id', () => {
    const twice = ORU.replace(
      /(OBX\|5\|TX\|[^\r]*)/,
      '$1\rOBX|7|TX|48767-8^Toelichting^LN||Tweede opmerking.||||||F',
    );
    const ids = resources(map(twice))
      .filter((r: Json) => r.code?.coding?.[0]?.code === '48767-8')
      .map((r: Json) => r.identifier[0].value);
    expect(ids).to.deep.equal(['LAB-2026-0042-48767-8-set5', 'LAB-2026-0042-48767-8-set7']);
  });

  it('the specimen (SPM, or OBR-15 in v2.3/2.4) as an nl-core Specimen the report and its results point to', () => {
    const withSpm = ORU.replace(
      /(OBR\|1\|[^\r]*)/,
      '$1\rSPM|1|SPC-88||119297000^Bloed^SCT|||||||||||||202612070815',
    );
    const b = map(withSpm);
    const specimen = resources(b).find((r: Json) => r.resourceType === 'Specimen');
    expect(specimen.identifier[0].value).to.equal('SPC-88');
    expect(specimen.type.coding[0]).to.include({ system: 'http://snomed.info/sct', code: '119297000' });
    expect(specimen.collection.collectedDateTime).to.equal('2026-12-07T08:15:00+01:00');
    const ref = b.entry.find((e: Json) => e.resource.resourceType === 'Specimen').fullUrl;
    const report = resources(b).find((r: Json) => r.resourceType === 'DiagnosticReport');
    expect(report.specimen).to.deep.equal([{ reference: ref }]);
    expect(observation(b, '2823-3').specimen).to.deep.equal({ reference: ref });
    const bad = validator.profiles
      .validate(specimen, specimen.meta.profile[0])!
      .filter((i) => i.severity === 'error');
    expect(bad, JSON.stringify(bad)).to.deep.equal([]);
    // v2.4: the specimen source in OBR-15.
    const obr15 = map(
      ORU.replace('|20261207101000|||F', '|20261207101000|||F').replace(
        /(OBR\|1\|ORD-77\|[^|]*\|[^|]*\|\|\|20261207083000)/,
        '$1||||||||BLD^Bloed^HL70070',
      ),
    );
    const v24 = resources(obr15).find((r: Json) => r.resourceType === 'Specimen');
    expect(v24.type.coding[0]).to.include({
      system: 'http://terminology.hl7.org/CodeSystem/v2-0070',
      code: 'BLD',
    });
    expect(v24.identifier[0].value).to.equal('LAB-2026-0042-specimen');
  });

  it('refuses a value it cannot read, naming OBX-5 or OBX-2', () => {
    expect(() => map(ORU.replace('|5.6|', '|vijf|')))
      .to.throw(/not a number/)
      .with.property('field', 5);
    expect(() => map(ORU.replace('|NM|2823-3', '|XX|2823-3')))
      .to.throw(/value type 'XX'/)
      .with.property('field', 2);
    expect(() => map(ORU.replace(/OBR\|[^\r]*\r/, ''))).to.throw(/before any OBR/);
  });
});
