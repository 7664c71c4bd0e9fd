import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { loadFhirSchema, type SchemaNode } from '../../../server/fhir/validation/fhir-schema.ts';
import { expectSingleIssue, validate } from './helpers.ts';

const absent = {
  extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }],
};
const note = { extension: [{ url: 'http://example.org/note', valueString: 'see the local copy' }] };

const structureDefinition = (extra: Record<string, unknown>) => ({
  resourceType: 'StructureDefinition',
  url: 'http://example.org/StructureDefinition/my-patient',
  name: 'MyPatient',
  status: 'draft',
  kind: 'resource',
  abstract: false,
  type: 'Patient',
  ...extra,
});

describe('validation: _x companions of primitives the official schema forgot', () => {
  describe('a single canonical', () => {
    it('StructureDefinition._baseDefinition beside its value, or alone', () => {
      const base = 'http://hl7.org/fhir/StructureDefinition/Patient';
      expect(validate(structureDefinition({ baseDefinition: base, _baseDefinition: note }))).to.deep.equal(
        [],
      );
      expect(validate(structureDefinition({ _baseDefinition: absent }))).to.deep.equal([]);
    });

    it('in a data type (ElementDefinition.binding._valueSet) and an extension in it is validated', () => {
      const element = (binding: Record<string, unknown>) =>
        structureDefinition({ differential: { element: [{ path: 'Patient', binding }] } });
      expect(validate(element({ strength: 'required', _valueSet: note }))).to.deep.equal([]);
      const issue = expectSingleIssue(
        validate(element({ strength: 'required', _valueSet: { extension: [{ url: 'x', valueFoo: 1 }] } })),
        'structure',
        'StructureDefinition.differential.element[0].binding.valueSet.extension[0].valueFoo',
      );
      expect(issue.diagnostics).to.equal("Unknown element 'valueFoo'");
    });
  });

  describe('a list of canonicals', () => {
    it('meta._profile, aligned with meta.profile', () => {
      const meta = { profile: ['http://example.org/a', 'http://example.org/b'], _profile: [note, note] };
      expect(validate({ resourceType: 'Patient', meta })).to.deep.equal([]);
    });

    it('_instantiatesCanonical and ValueSet.compose.include._valueSet', () => {
      const carePlan = {
        resourceType: 'CarePlan',
        status: 'active',
        intent: 'plan',
        subject: { reference: 'Patient/1' },
        _instantiatesCanonical: [absent],
      };
      expect(validate(carePlan)).to.deep.equal([]);
      const valueSet = {
        resourceType: 'ValueSet',
        status: 'draft',
        compose: { include: [{ valueSet: ['http://example.org/vs'], _valueSet: [note] }] },
      };
      expect(validate(valueSet)).to.deep.equal([]);
    });
  });

  describe('a companion of the wrong shape is still refused', () => {
    it('a string, a list or an unknown element where one Element belongs', () => {
      let issue = expectSingleIssue(
        validate(structureDefinition({ _baseDefinition: 'see extension' })),
        'structure',
        'StructureDefinition.baseDefinition',
      );
      expect(issue.diagnostics).to.equal('Expected an object (FHIR Element) but found string');
      expectSingleIssue(
        validate(structureDefinition({ _baseDefinition: [note] })),
        'structure',
        'StructureDefinition.baseDefinition',
      );
      issue = expectSingleIssue(
        validate(structureDefinition({ _baseDefinition: { comment: 'x' } })),
        'structure',
        'StructureDefinition.baseDefinition.comment',
      );
      expect(issue.diagnostics).to.equal("Unknown element 'comment'");
    });

    it('one Element or a string where a list of them belongs', () => {
      expectSingleIssue(
        validate({ resourceType: 'Patient', meta: { _profile: note } }),
        'structure',
        'Patient.meta.profile',
      );
      expectSingleIssue(
        validate({ resourceType: 'Patient', meta: { profile: ['http://example.org/a'], _profile: ['x'] } }),
        'structure',
        'Patient.meta.profile[0]',
      );
    });

    it('no companion where FHIR allows no extensions: resource and element ids, Narrative.div', () => {
      expectSingleIssue(validate({ resourceType: 'Patient', _id: note }), 'structure', 'Patient.id');
      expectSingleIssue(
        validate({ resourceType: 'Patient', name: [{ id: 'n', _id: note }] }),
        'structure',
        'Patient.name[0].id',
      );
      const text = {
        status: 'generated',
        div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>',
        _div: note,
      };
      expectSingleIssue(validate({ resourceType: 'Patient', text }), 'structure', 'Patient.text.div');
    });
  });

  describe('required canonicals (the schema listed them in `required`)', () => {
    const report = (extra: Record<string, unknown>) => ({
      resourceType: 'MeasureReport',
      status: 'complete',
      type: 'summary',
      period: { start: '2024-01-01' },
      ...extra,
    });

    it('are satisfied by the value or by the companion alone', () => {
      expect(validate(report({ measure: 'http://example.org/Measure/m' }))).to.deep.equal([]);
      expect(validate(report({ _measure: absent }))).to.deep.equal([]);
      const map = {
        resourceType: 'StructureMap',
        url: 'http://example.org/StructureMap/m',
        name: 'M',
        status: 'draft',
        structure: [{ _url: absent, mode: 'source' }],
        group: [{ name: 'g', typeMode: 'none', input: [{ name: 'src', mode: 'source' }], rule: [] }],
      };
      expect(validate(map)).to.deep.equal([]);
    });

    it('are still required: one issue when both are missing', () => {
      const issue = expectSingleIssue(validate(report({})), 'required', 'MeasureReport.measure');
      expect(issue.diagnostics).to.equal("Missing required element 'measure'");
    });
  });

  describe('the schema as loaded', () => {
    const raw = JSON.parse(
      readFileSync(new URL('../../../profiles/fhir.schema.json', import.meta.url), 'utf8'),
    ) as { definitions: Record<string, SchemaNode> };
    const schema = loadFhirSchema();

    it('gained exactly the 72 canonical companions the file lacks (33 of them lists)', () => {
      const added: string[] = [];
      for (const [name, definition] of Object.entries(schema.definitions)) {
        for (const property of Object.keys(definition.properties ?? {})) {
          if (!(property in (raw.definitions[name]?.properties ?? {}))) added.push(`${name}.${property}`);
        }
      }
      expect(added).to.have.length(72);
      expect(added).to.include.members([
        'StructureDefinition._baseDefinition',
        'Meta._profile',
        'CarePlan._instantiatesCanonical',
        'ValueSet_Include._valueSet',
      ]);
      const types = added.map((path) => {
        const [name, companion] = path.split('.') as [string, string];
        return schema.primitives.get(name)?.get(companion.slice(1));
      });
      expect(new Set(types.map((slot) => slot?.type))).to.deep.equal(new Set(['canonical']));
      expect(types.filter((slot) => slot?.array)).to.have.length(33);
    });

    it('has a companion beside every primitive but ids and Narrative.div', () => {
      const missing: string[] = [];
      for (const [name, slots] of schema.primitives) {
        for (const property of slots.keys()) {
          if (!(`_${property}` in schema.definitions[name]!.properties!)) missing.push(`${name}.${property}`);
        }
      }
      expect(missing.filter((path) => !path.endsWith('.id'))).to.deep.equal(['Narrative.div']);
    });

    it('moves the 11 required canonicals from `required` to the required-primitives rule', () => {
      const moved = [...schema.requiredPrimitives].flatMap(([name, properties]) =>
        properties.map((property) => `${name}.${property}`),
      );
      expect(moved).to.have.length(11);
      expect(moved).to.include.members(['MeasureReport.measure', 'StructureMap_Structure.url']);
      for (const path of moved) {
        const [name, property] = path.split('.') as [string, string];
        expect(raw.definitions[name]?.required).to.include(property);
        expect(schema.definitions[name]?.required ?? []).not.to.include(property);
      }
    });
  });
});
