import { expect } from 'chai';
import { ProfileRegistry } from '../../../server/fhir/validation/profiles/registry.ts';
import { createProfileValidator } from '../../../server/fhir/validation/profiles/index.ts';
import type { StructureDefinition } from '../../../server/fhir/validation/profiles/types.ts';
import { NL, errors, example, exampleFiles, profiles } from './profile-helpers.ts';

/**
 * Three official examples claim `nl-core-LivingSituation.HouseAdaption`, a profile the zib2020
 * package does not have (its profile is `nl-core-LivingSituation.HomeAdaption`).
 */
const CLAIMS_MISSING_PROFILE = [
  'nl-core-LivingSituation.HouseAdaption-01.xml',
  'nl-core-LivingSituation.HouseAdaption-02.xml',
  'nl-core-LivingSituation.HouseAdaption-03.xml',
];

describe('profiles: validation against nl-core', () => {
  it('every zib2020 example conforms to its meta.profile (no errors)', () => {
    const failures: string[] = [];
    const missing: string[] = [];
    let checked = 0;
    for (const file of exampleFiles()) {
      const resource = example(file);
      for (const url of resource.meta?.profile ?? []) {
        const issues = profiles().validate(resource, url);
        if (!issues) {
          missing.push(file);
          continue;
        }
        checked++;
        for (const e of errors(issues)) failures.push(`${file}: ${e.diagnostics} @ ${e.expression?.join()}`);
      }
    }
    expect(failures).to.deep.equal([]);
    expect(missing).to.deep.equal(CLAIMS_MISSING_PROFILE);
    expect(checked).to.equal(268);
  });

  describe('nl-core-Patient', () => {
    const url = `${NL}nl-core-Patient`;
    const good = () => example('nl-core-Patient-01.xml');

    it('the official example has no errors; unchecked bindings are said, not hidden', () => {
      const issues = profiles().validate(good(), url)!;
      expect(errors(issues)).to.deep.equal([]);
      const unchecked = issues.filter((i) => i.code === 'not-supported');
      expect(unchecked.map((i) => i.expression![0])).to.include('Patient.maritalStatus');
      expect(unchecked.every((i) => i.severity === 'information')).to.equal(true);
    });

    it('a missing required element (communication.language, min 1) is an error', () => {
      const patient = { ...good(), communication: [{ preferred: true }] };
      const found = errors(profiles().validate(patient, url));
      expect(found).to.have.length(1);
      expect(found[0]).to.include({ code: 'required' });
      expect(found[0]!.expression).to.deep.equal(['Patient.communication[0].language']);
    });

    it('too many values for a slice (name:nameInformation, max 2) is an error', () => {
      const official = { use: 'official', family: 'Jansen' };
      const patient = { resourceType: 'Patient', name: [official, official, official] };
      const found = errors(profiles().validate(patient, url));
      expect(found.map((i) => i.diagnostics)).to.satisfy((d: string[]) =>
        d.some((m) => m.includes("slice 'nameInformation' allows at most 2, but found 3")),
      );
    });

    it('a value outside a required binding (administrative-gender) is an error', () => {
      const found = errors(profiles().validate({ resourceType: 'Patient', gender: 'mannelijk' }, url));
      expect(found).to.have.length(1);
      expect(found[0]).to.include({ code: 'code-invalid' });
      expect(found[0]!.expression).to.deep.equal(['Patient.gender']);
    });

    it('a nested extension profile is checked: houseNumber is a string without extensions', () => {
      const patient = {
        resourceType: 'Patient',
        address: [
          {
            line: ['Straat 12'],
            _line: [
              {
                extension: [
                  {
                    url: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-houseNumber',
                    valueInteger: 12,
                  },
                ],
              },
            ],
          },
        ],
      };
      const found = errors(profiles().validate(patient, url));
      expect(found).to.have.length(1);
      expect(found[0]!.diagnostics).to.match(/type integer is not allowed here \(allowed: string\)/);
      expect(found[0]!.expression).to.deep.equal(['Patient.address[0].line[0].extension[0].valueInteger']);
    });

    it('an extension the server knows is checked even outside a slice', () => {
      const patient = {
        resourceType: 'Patient',
        extension: [
          { url: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-houseNumber', valueBoolean: true },
        ],
      };
      const found = errors(profiles().validate(patient, url));
      expect(found.map((i) => i.expression![0])).to.deep.equal(['Patient.extension[0].valueBoolean']);
    });

    it('a resource of another type is refused', () => {
      const found = errors(profiles().validate({ resourceType: 'Observation' }, url));
      expect(found[0]!.diagnostics).to.match(/is for Patient, not Observation/);
    });

    it('an unknown profile answers undefined', () => {
      expect(profiles().validate(good(), `${NL}nl-core-Nope`)).to.equal(undefined);
    });
  });

  describe('nl-core-BodyWeight', () => {
    const url = `${NL}nl-core-BodyWeight`;
    const good = () => example('nl-core-BodyWeight-01.xml');

    it('the official example has no errors', () => {
      expect(errors(profiles().validate(good(), url))).to.deep.equal([]);
    });

    it('a code that does not match the pattern is an error', () => {
      const observation = { ...good(), code: { coding: [{ system: 'http://loinc.org', code: '8302-2' }] } };
      const found = errors(profiles().validate(observation, url));
      expect(found.some((i) => i.code === 'value' && i.expression![0] === 'Observation.code')).to.equal(true);
    });

    it('elements the profile makes required (subject, effective[x]: 1..1) are errors when missing', () => {
      const { subject: _subject, effectiveDateTime: _effective, ...observation } = good();
      const found = errors(profiles().validate(observation, url));
      expect(found.map((i) => `${i.code} ${i.expression![0]}`)).to.have.members([
        'required Observation.subject',
        'required Observation.effective',
      ]);
    });

    it('a missing category fails the element minimum and the required VSCat slice', () => {
      const { category: _category, ...observation } = good();
      const messages = errors(profiles().validate(observation, url)).map((i) => i.diagnostics);
      expect(messages.some((m) => m!.startsWith('Observation.category: minimum required = 1'))).to.equal(
        true,
      );
      expect(messages.some((m) => m!.includes("slice 'VSCat' requires at least 1, but found 0"))).to.equal(
        true,
      );
    });

    it('a status outside observation-status (required) is an error', () => {
      const found = errors(profiles().validate({ ...good(), status: 'done' }, url));
      expect(found.map((i) => `${i.code} ${i.expression![0]}`)).to.deep.equal([
        'code-invalid Observation.status',
      ]);
    });
  });

  it('a CodeableConcept outside a required ValueSet is an error (AllergyIntolerance.clinicalStatus)', () => {
    const allergy = example('nl-core-AllergyIntolerance-01.xml');
    allergy.clinicalStatus = {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'gone' }],
    };
    const found = errors(profiles().validate(allergy, `${NL}nl-core-AllergyIntolerance`));
    expect(found.map((i) => `${i.code} ${i.expression![0]}`)).to.deep.equal([
      'code-invalid AllergyIntolerance.clinicalStatus',
    ]);
  });
});

/** nl-core has no closed slicing and uses fixed[x] only for URIs; a small hand-made profile covers them. */
describe('profiles: closed slicing, fixed values, bindings (hand-made profile)', () => {
  const sd: StructureDefinition = {
    resourceType: 'StructureDefinition',
    id: 'test-patient',
    url: 'urn:test:patient',
    kind: 'resource',
    type: 'Patient',
    derivation: 'constraint',
    snapshot: {
      element: [
        { id: 'Patient', path: 'Patient', min: 0, max: '*' },
        {
          id: 'Patient.identifier',
          path: 'Patient.identifier',
          min: 1,
          max: '*',
          type: [{ code: 'Identifier' }],
          slicing: { discriminator: [{ type: 'value', path: 'system' }], rules: 'closed' },
        },
        {
          id: 'Patient.identifier:bsn',
          path: 'Patient.identifier',
          sliceName: 'bsn',
          min: 1,
          max: '1',
          type: [{ code: 'Identifier' }],
        },
        {
          id: 'Patient.identifier:bsn.system',
          path: 'Patient.identifier.system',
          min: 1,
          max: '1',
          type: [{ code: 'uri' }],
          fixedUri: 'http://fhir.nl/fhir/NamingSystem/bsn',
        },
        {
          id: 'Patient.identifier:bsn.value',
          path: 'Patient.identifier.value',
          min: 1,
          max: '1',
          type: [{ code: 'string' }],
        },
        {
          id: 'Patient.active',
          path: 'Patient.active',
          min: 0,
          max: '1',
          type: [{ code: 'boolean' }],
          fixedBoolean: true,
        },
        {
          id: 'Patient.gender',
          path: 'Patient.gender',
          min: 0,
          max: '1',
          type: [{ code: 'code' }],
          binding: { strength: 'required', valueSet: 'urn:test:genders' },
        },
        {
          id: 'Patient.maritalStatus',
          path: 'Patient.maritalStatus',
          min: 0,
          max: '1',
          type: [{ code: 'CodeableConcept' }],
          binding: { strength: 'required', valueSet: 'urn:test:not-here' },
        },
      ],
    },
  };
  const validator = createProfileValidator(
    new ProfileRegistry(
      [sd],
      [{ url: 'urn:test:genders', expansion: { contains: [{ system: 'urn:g', code: 'female' }] } }],
    ),
  );
  const bsn = { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999911120' };
  const check = (patient: Record<string, unknown>) =>
    validator.validate({ resourceType: 'Patient', ...patient }, sd.url)!;

  it('a conforming resource has no issues', () => {
    expect(check({ identifier: [bsn], active: true, gender: 'female' })).to.deep.equal([]);
  });

  it('a value outside a closed slicing is an error', () => {
    const found = errors(check({ identifier: [bsn, { system: 'urn:other', value: '1' }] }));
    expect(found).to.have.length(1);
    expect(found[0]!.diagnostics).to.match(/matches none of the slices, and the slicing is closed/);
    expect(found[0]!.expression).to.deep.equal(['Patient.identifier[1]']);
  });

  it('a missing required slice and a slice over its maximum are errors', () => {
    expect(errors(check({ identifier: [{ system: 'urn:other' }] })).map((i) => i.diagnostics)).to.satisfy(
      (d: string[]) => d.some((m) => m.includes("slice 'bsn' requires at least 1, but found 0")),
    );
    expect(errors(check({ identifier: [bsn, bsn] })).map((i) => i.diagnostics)).to.satisfy((d: string[]) =>
      d.some((m) => m.includes("slice 'bsn' allows at most 1, but found 2")),
    );
  });

  it('an element missing inside a slice (bsn.value, min 1) is an error', () => {
    const found = errors(check({ identifier: [{ system: bsn.system }] }));
    expect(found.map((i) => i.expression![0])).to.deep.equal(['Patient.identifier[0].value']);
  });

  it('a wrong fixed value is an error', () => {
    const found = errors(check({ identifier: [bsn], active: false }));
    expect(found).to.have.length(1);
    expect(found[0]).to.include({ code: 'value' });
    expect(found[0]!.diagnostics).to.match(/does not match the fixed value true/);
  });

  it('a required binding is checked against the held expansion, or reported as not checked', () => {
    const found = check({ identifier: [bsn], gender: 'male', maritalStatus: { text: 'gehuwd' } });
    expect(errors(found).map((i) => `${i.code} ${i.expression![0]}`)).to.deep.equal([
      'code-invalid Patient.gender',
    ]);
    const info = found.filter((i) => i.severity === 'information');
    expect(info.map((i) => `${i.code} ${i.expression![0]}`)).to.deep.equal([
      'not-supported Patient.maritalStatus',
    ]);
  });
});
