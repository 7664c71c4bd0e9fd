import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resourceTypes, typeElementsOf } from '../../../server/fhir/model/type-info.ts';
import { applyElements, applySummary, SUBSETTED_TAG } from '../../../server/fhir/search/shape.ts';
import type { Resource } from '../../../server/fhir/storage/types.ts';

const exampleText = (name: string) =>
  readFileSync(new URL(`../../fixtures/r4/examples/${name}.json`, import.meta.url), 'utf8');
const example = (name: string) => JSON.parse(exampleText(name)) as Resource;

const subsetted = { system: SUBSETTED_TAG.system, code: SUBSETTED_TAG.code };

describe('search shape: summary-elements.json', () => {
  const file = JSON.parse(
    readFileSync(new URL('../../../profiles/generated/summary-elements.json', import.meta.url), 'utf8'),
  ) as Record<string, { summary: string[]; mandatory: string[]; choices: Record<string, string[]> }>;

  it('covers exactly the R4 resource types, naming only their top-level JSON elements', () => {
    expect(Object.keys(file)).to.have.members([...resourceTypes]);
    for (const [resourceType, info] of Object.entries(file)) {
      const known = typeElementsOf(resourceType);
      const names = [...info.summary, ...info.mandatory, ...Object.values(info.choices).flat()];
      for (const name of names) expect(known?.has(name), `${resourceType}.${name}`).to.equal(true);
    }
  });

  it('expands choice elements to every typed JSON name', () => {
    expect(file.Patient?.summary).to.include.members(['deceasedBoolean', 'deceasedDateTime']);
    expect(file.Patient?.summary).to.not.include('deceased');
    expect(file.Patient?.choices.multipleBirth).to.deep.equal([
      'multipleBirthBoolean',
      'multipleBirthInteger',
    ]);
    expect(file.MedicationRequest?.mandatory).to.include.members([
      'medicationCodeableConcept',
      'medicationReference',
    ]);
  });
});

describe('search shape: applySummary', () => {
  it('true keeps the summary elements of a Patient and drops contact and the narrative', () => {
    const patient = example('Patient-example');
    const summary = applySummary(patient, 'true');
    expect(Object.keys(summary)).to.deep.equal([
      'resourceType',
      'id',
      'meta',
      'identifier',
      'active',
      'name',
      'telecom',
      'gender',
      'birthDate',
      '_birthDate',
      'deceasedBoolean',
      'address',
      'managingOrganization',
    ]);
    expect(summary.meta).to.deep.equal({ tag: [subsetted] });
    expect(summary.name).to.deep.equal(patient.name);
    expect(summary).to.not.have.any.keys('contact', 'text');
  });

  it('true keeps Observation.valueQuantity and drops category', () => {
    const summary = applySummary(example('Observation-example'), 'true');
    expect(Object.keys(summary)).to.deep.equal([
      'resourceType',
      'id',
      'meta',
      'status',
      'code',
      'subject',
      'encounter',
      'effectiveDateTime',
      'valueQuantity',
    ]);
  });

  it('true keeps mandatory elements that R4 does not mark as summary (Appointment.participant)', () => {
    const appointment = example('Appointment-example');
    const summary = applySummary(appointment, 'true');
    expect(summary.participant).to.deep.equal(appointment.participant);
    expect(summary).to.include.keys('status', 'start', 'end', 'serviceType');
    expect(summary).to.not.have.any.keys('text', 'comment', 'description', 'basedOn', 'created');
  });

  it('text keeps only the narrative, id, meta and mandatory elements', () => {
    const observation = example('Observation-example');
    const text = applySummary(observation, 'text');
    expect(Object.keys(text)).to.deep.equal(['resourceType', 'id', 'meta', 'text', 'status', 'code']);
    expect(text.text).to.deep.equal(observation.text);
    expect(Object.keys(applySummary(example('Patient-example'), 'text'))).to.deep.equal([
      'resourceType',
      'id',
      'meta',
      'text',
    ]);
  });

  it('data drops only the narrative', () => {
    const patient = example('Patient-example');
    const data = applySummary(patient, 'data');
    const { text: _text, ...rest } = patient;
    expect(data).to.deep.equal({ ...rest, meta: { tag: [subsetted] } });
  });

  it('adds SUBSETTED once, next to the existing meta and tags', () => {
    const patient = example('Patient-example');
    const other = { system: 'http://example.org/tags', code: 'x' };
    patient.meta = { versionId: '3', tag: [other] };
    const once = applySummary(patient, 'true');
    expect(once.meta).to.deep.equal({ versionId: '3', tag: [other, subsetted] });
    expect(applySummary(once, 'data').meta?.tag).to.deep.equal([other, subsetted]);
    expect(applyElements(once, ['name']).meta?.tag).to.deep.equal([other, subsetted]);
  });

  it('does not modify its input', () => {
    const text = exampleText('Patient-example');
    const patient = JSON.parse(text) as Resource;
    patient.meta = { tag: [{ system: 'http://example.org/tags', code: 'x' }] };
    const before = structuredClone(patient);
    for (const mode of ['true', 'text', 'data'] as const) {
      const shaped = applySummary(patient, mode);
      expect(shaped).to.not.equal(patient);
      expect(shaped.meta).to.not.equal(patient.meta);
    }
    applyElements(patient, ['name']);
    expect(patient).to.deep.equal(before);

    const bare = JSON.parse(text) as Resource;
    applySummary(bare, 'true');
    expect(bare).to.deep.equal(JSON.parse(text));
    expect(bare).to.not.have.key('meta');
  });
});

describe('search shape: applyElements', () => {
  it('keeps the listed elements with their primitive siblings, and nothing else', () => {
    const patient = example('Patient-example');
    const shaped = applyElements(patient, ['birthDate', 'contact', 'photo', 'noSuchElement']);
    expect(shaped).to.deep.equal({
      resourceType: 'Patient',
      id: 'example',
      meta: { tag: [subsetted] },
      birthDate: patient.birthDate,
      _birthDate: patient._birthDate,
      contact: patient.contact,
    });
  });

  it('a choice element name keeps whichever typed form is present', () => {
    expect(applyElements(example('Patient-example'), ['deceased'])).to.have.keys(
      'resourceType',
      'id',
      'meta',
      'deceasedBoolean',
    );
    expect(applyElements(example('Patient-infant-twin-1'), ['multipleBirth'])).to.have.keys(
      'resourceType',
      'id',
      'meta',
      'multipleBirthInteger',
    );
  });

  it('always keeps the mandatory elements', () => {
    expect(Object.keys(applyElements(example('Observation-example'), ['value']))).to.deep.equal([
      'resourceType',
      'id',
      'meta',
      'status',
      'code',
      'valueQuantity',
    ]);
    expect(applyElements(example('Appointment-example'), ['start'])).to.have.keys(
      'resourceType',
      'id',
      'meta',
      'status',
      'start',
      'participant',
    );
  });

  it('an empty list keeps only the mandatory elements', () => {
    expect(applyElements(example('Patient-example'), [])).to.have.keys('resourceType', 'id', 'meta');
  });
});
