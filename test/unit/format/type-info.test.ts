import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import {
  elementInfo,
  isComplexType,
  isPrimitiveType,
  isResourceType,
  primitiveJsonKind,
  resourceTypes,
  typeElementsOf,
} from '../../../server/fhir/model/type-info.ts';

describe('type-info', () => {
  it('knows the 146 resource types of the schema discriminator', () => {
    expect(resourceTypes.size).to.equal(146);
    expect(isResourceType('Patient')).to.equal(true);
    expect(isResourceType('Bundle')).to.equal(true);
    expect(isResourceType('HumanName')).to.equal(false);
    expect(isResourceType('Patient_Contact')).to.equal(false);
  });

  it('describes elements of resources, data types and backbone elements', () => {
    expect(elementInfo('Patient', 'name')).to.deep.equal({
      type: 'HumanName',
      array: true,
      primitive: false,
    });
    expect(elementInfo('Patient', 'birthDate')).to.deep.equal({
      type: 'date',
      array: false,
      primitive: true,
    });
    expect(elementInfo('Patient', 'gender')).to.deep.equal({ type: 'code', array: false, primitive: true });
    expect(elementInfo('Patient', 'contact')).to.deep.equal({
      type: 'Patient_Contact',
      array: true,
      primitive: false,
    });
    expect(elementInfo('Patient_Contact', 'name')).to.deep.equal({
      type: 'HumanName',
      array: false,
      primitive: false,
    });
    expect(elementInfo('Observation', 'valueQuantity')).to.deep.equal({
      type: 'Quantity',
      array: false,
      primitive: false,
    });
    expect(elementInfo('Observation', 'valueString')).to.deep.equal({
      type: 'string',
      array: false,
      primitive: true,
    });
    expect(elementInfo('Bundle', 'entry')).to.deep.equal({
      type: 'Bundle_Entry',
      array: true,
      primitive: false,
    });
    expect(elementInfo('HumanName', 'given')).to.deep.equal({ type: 'string', array: true, primitive: true });
    expect(elementInfo('Meta', 'profile')).to.deep.equal({ type: 'canonical', array: true, primitive: true });
    expect(elementInfo('Timing_Repeat', 'when')).to.deep.equal({
      type: 'code',
      array: true,
      primitive: true,
    });
    expect(elementInfo('Narrative', 'div')).to.deep.equal({ type: 'xhtml', array: false, primitive: true });
  });

  it('types resource-valued elements as Resource', () => {
    expect(elementInfo('Patient', 'contained')).to.deep.equal({
      type: 'Resource',
      array: true,
      primitive: false,
    });
    expect(elementInfo('Bundle_Entry', 'resource')).to.deep.equal({
      type: 'Resource',
      array: false,
      primitive: false,
    });
    expect(elementInfo('Bundle_Response', 'outcome')?.type).to.equal('Resource');
    expect(elementInfo('Parameters_Parameter', 'resource')?.type).to.equal('Resource');
  });

  it('resolves inline choice-type primitives that share a schema pattern by their name', () => {
    expect(elementInfo('Extension', 'valueCanonical')?.type).to.equal('canonical');
    expect(elementInfo('Extension', 'valueUrl')?.type).to.equal('url');
    expect(elementInfo('Extension', 'valueUri')?.type).to.equal('uri');
    expect(elementInfo('Extension', 'valueMarkdown')?.type).to.equal('markdown');
    expect(elementInfo('Extension', 'valueBase64Binary')?.type).to.equal('base64Binary');
    expect(elementInfo('Extension', 'valueDateTime')?.type).to.equal('dateTime');
    expect(elementInfo('Extension', 'valueDecimal')?.type).to.equal('decimal');
  });

  it('has no entry for unknown elements, _x siblings or the resourceType discriminator', () => {
    expect(elementInfo('Patient', 'foo')).to.equal(undefined);
    expect(elementInfo('Patient', '_birthDate')).to.equal(undefined);
    expect(elementInfo('Patient', 'resourceType')).to.equal(undefined);
    expect(elementInfo('NoSuchType', 'id')).to.equal(undefined);
  });

  it('classifies primitive types and their JSON kinds', () => {
    expect(isPrimitiveType('date')).to.equal(true);
    expect(isPrimitiveType('HumanName')).to.equal(false);
    expect(isComplexType('HumanName')).to.equal(true);
    expect(isComplexType('date')).to.equal(false);
    expect(primitiveJsonKind('boolean')).to.equal('boolean');
    for (const t of ['integer', 'decimal', 'unsignedInt', 'positiveInt'])
      expect(primitiveJsonKind(t)).to.equal('number');
    for (const t of ['string', 'date', 'code', 'uri', 'base64Binary', 'xhtml']) {
      expect(primitiveJsonKind(t)).to.equal('string');
    }
    expect(primitiveJsonKind('Quantity')).to.equal(undefined);
  });

  it('preserves the schema element order', () => {
    expect([...(typeElementsOf('Patient')?.keys() ?? [])].slice(0, 9)).to.deep.equal([
      'id',
      'meta',
      'implicitRules',
      'language',
      'text',
      'contained',
      'extension',
      'modifierExtension',
      'identifier',
    ]);
  });

  it('is in sync with profiles/fhir.schema.json', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../../../profiles/fhir.schema.json', import.meta.url), 'utf8'),
    ) as {
      discriminator: { mapping: Record<string, string> };
      definitions: Record<string, { properties?: Record<string, { const?: string }> }>;
    };
    expect([...resourceTypes]).to.deep.equal(Object.keys(schema.discriminator.mapping));
    for (const [typeName, def] of Object.entries(schema.definitions)) {
      if (!def.properties) continue;
      const expected = Object.entries(def.properties)
        .filter(([name, prop]) => !name.startsWith('_') && prop.const === undefined)
        .map(([name]) => name);
      expect([...(typeElementsOf(typeName)?.keys() ?? [])], typeName).to.deep.equal(expected);
    }
  });
});
