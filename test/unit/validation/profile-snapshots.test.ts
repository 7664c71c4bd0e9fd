import { expect } from 'chai';
import { compactElement } from '../../../scripts/nl-core/compact.ts';
import { ValueSetExpander } from '../../../scripts/nl-core/expand-valuesets.ts';
import { fixSliceMinimums } from '../../../scripts/nl-core/slice-cardinality.ts';
import { buildElementTree } from '../../../server/fhir/validation/profiles/element-tree.ts';
import { NL, profiles } from './profile-helpers.ts';

/** The committed snapshots (profiles/nl-core/, `npm run generate:profiles`) against their known differentials. */
describe('profiles: generated nl-core snapshots', () => {
  const sd = (id: string) => {
    const found = profiles().structureDefinition(`${NL}${id}`);
    if (!found) throw new Error(`${id} not loaded`);
    return found;
  };
  const element = (id: string, elementId: string) => {
    const found = sd(id).snapshot.element.find((e) => e.id === elementId);
    if (!found) throw new Error(`${elementId} not in ${id}`);
    return found;
  };

  it('holds every zib2020 StructureDefinition plus the R4 extensions and datatype profiles they use', () => {
    const urls = profiles().urls();
    expect(urls.filter((u) => u.startsWith(NL))).to.have.length(354);
    expect(urls).to.include.members([
      'http://hl7.org/fhir/StructureDefinition/patient-nationality',
      'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-houseNumber',
      'http://hl7.org/fhir/StructureDefinition/SimpleQuantity',
    ]);
    expect(profiles().isLoaded(`${NL}nl-core-Patient|0.12.1`)).to.equal(true); // version ignored
    expect(profiles().isLoaded(`${NL}nl-core-Nonexistent`)).to.equal(false);
  });

  it('nl-core-Patient: all Patient elements, expanded extension slices, zib-Patient constraints inherited', () => {
    const patient = sd('nl-core-Patient');
    expect(patient.baseDefinition).to.equal(`${NL}zib-Patient`);
    expect(patient.snapshot.element).to.have.length(106);
    expect(patient.snapshot.element[0]!.id).to.equal('Patient');
    // zib-Patient's differential: name:nameInformation 0..2, identifier:bsn by pattern
    expect(element('nl-core-Patient', 'Patient.name:nameInformation')).to.include({ min: 0, max: '2' });
    expect(element('nl-core-Patient', 'Patient.identifier:bsn').patternIdentifier).to.deep.equal({
      system: 'http://fhir.nl/fhir/NamingSystem/bsn',
    });
    expect(element('nl-core-Patient', 'Patient.identifier').slicing).to.deep.include({
      discriminator: [{ type: 'value', path: '$this' }],
      rules: 'open',
    });
    // R4 base cardinality where nothing constrains it
    expect(element('nl-core-Patient', 'Patient.link.other')).to.include({ min: 1, max: '1' });
    // an extension slice is expanded from the extension's definition (patient-proficiency)
    expect(
      element('nl-core-Patient', 'Patient.communication.extension:languageControl.extension:level'),
    ).to.include({
      min: 1,
      max: '1',
    });
    expect(element('nl-core-Patient', 'Patient.extension:nationality').type).to.deep.equal([
      { code: 'Extension', profile: ['http://hl7.org/fhir/StructureDefinition/patient-nationality'] },
    ]);
  });

  it('nl-core-BodyWeight: vital-signs pattern, category slice and required element cardinalities', () => {
    expect(element('nl-core-BodyWeight', 'Observation.code').patternCodeableConcept).to.deep.equal({
      coding: [{ system: 'http://loinc.org', code: '29463-7' }],
    });
    expect(element('nl-core-BodyWeight', 'Observation.category:VSCat')).to.include({ min: 1, max: '1' });
    expect(element('nl-core-BodyWeight', 'Observation.subject')).to.include({ min: 1, max: '1' });
    expect(element('nl-core-BodyWeight', 'Observation.component:clothing')).to.include({ min: 0, max: '1' });
  });

  it('nl-core-Alert: slices the differential gives no min start at 0 (not the sliced element min 1)', () => {
    expect(element('nl-core-Alert', 'Flag.code.coding')).to.include({ min: 1 });
    expect(element('nl-core-Alert', 'Flag.code.coding:alertName')).to.include({ min: 0, max: '1' });
    expect(element('nl-core-Alert', 'Flag.code.coding:dataAbsentReason')).to.include({ min: 0, max: '1' });
  });

  it('every snapshot builds into an element tree whose elements all hang somewhere', () => {
    for (const url of profiles().urls()) {
      const def = profiles().structureDefinition(url)!;
      const tree = buildElementTree(def);
      let count = 0;
      const walk = (n: typeof tree.root): void => {
        count++;
        for (const c of n.children.values()) walk(c);
        for (const s of n.slices) walk(s);
      };
      walk(tree.root);
      expect(count, url).to.equal(def.snapshot.element.length);
    }
  });

  it('fixSliceMinimums sets an undeclared slice min to 0 and keeps a declared one', () => {
    const generated = {
      resourceType: 'StructureDefinition',
      url: 'urn:p',
      baseDefinition: 'urn:base',
      snapshot: {
        element: [
          { id: 'Flag.code.coding', min: 1 },
          { id: 'Flag.code.coding:a', sliceName: 'a', min: 1 },
          { id: 'Flag.code.coding:b', sliceName: 'b', min: 1 },
          { id: 'Flag.code.coding:c', sliceName: 'c', min: 1 },
        ],
      },
    };
    const sources = new Map([
      ['urn:p', { ...generated, differential: { element: [{ id: 'Flag.code.coding:a' }] } }],
      [
        'urn:base',
        {
          resourceType: 'StructureDefinition',
          url: 'urn:base',
          differential: { element: [{ id: 'Flag.code.coding:b', min: 1 }] },
        },
      ],
    ]);
    expect(fixSliceMinimums(generated, sources)).to.equal(1);
    expect(generated.snapshot.element.map((e) => e.min)).to.deep.equal([1, 0, 1, 1]);
  });

  it('compactElement keeps what validation reads and drops documentation', () => {
    const compact = compactElement({
      id: 'Patient.gender',
      path: 'Patient.gender',
      short: 'male | female',
      definition: 'long text',
      min: 0,
      max: '1',
      base: { path: 'Patient.gender', min: 0, max: '1' },
      type: [{ code: 'code', extension: [{ url: 'x' }] }],
      patternCode: 'male',
      binding: { strength: 'required', valueSet: 'urn:vs', description: 'd' },
      mapping: [{ identity: 'v2', map: 'PID-8' }],
    });
    expect(compact).to.deep.equal({
      id: 'Patient.gender',
      path: 'Patient.gender',
      min: 0,
      max: '1',
      type: [{ code: 'code' }],
      patternCode: 'male',
      binding: { strength: 'required', valueSet: 'urn:vs' },
    });
  });

  it('ValueSetExpander enumerates concept lists and complete CodeSystems, not filters', () => {
    const expander = new ValueSetExpander([
      {
        resourceType: 'CodeSystem',
        url: 'urn:cs',
        content: 'complete',
        concept: [{ code: 'a', concept: [{ code: 'a1' }] }, { code: 'b' }],
      },
      { resourceType: 'ValueSet', url: 'urn:all', compose: { include: [{ system: 'urn:cs' }] } },
      {
        resourceType: 'ValueSet',
        url: 'urn:list',
        compose: { include: [{ system: 'urn:x', concept: [{ code: 'z' }] }] },
      },
      { resourceType: 'ValueSet', url: 'urn:nested', compose: { include: [{ valueSet: ['urn:list'] }] } },
      {
        resourceType: 'ValueSet',
        url: 'urn:filtered',
        compose: { include: [{ system: 'urn:cs', filter: [{}] }] },
      },
    ]);
    expect(expander.expand('urn:all|1.0')!.codes.map((c) => c.code)).to.deep.equal(['a', 'a1', 'b']);
    expect(expander.expand('urn:nested')!.codes).to.deep.equal([{ system: 'urn:x', code: 'z' }]);
    expect(expander.expand('urn:filtered')).to.equal(undefined);
    expect(expander.expand('urn:unknown')).to.equal(undefined);
  });
});
