import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { decodeMessage, Hl7, mapMessage } from '../../../mappers/index.ts';
import { createResourceValidator } from '../../../server/fhir/validation/index.ts';

type Json = Record<string, any>;
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/hl7/${name}`, import.meta.url));
const ADT = decodeMessage(fixture('adt-a01-latin1.hl7')).text;
const GOLDEN = JSON.parse(fixture('adt-a01-latin1.json').toString('utf8')) as Json;
const context = { organization: 'Organization/zkh-oost' };
const map = (text: string) => mapMessage(Hl7.parse(text), context) as unknown as Json;
const resources = (bundle: Json) => bundle.entry.map((e: Json) => e.resource);
const of = (bundle: Json, type: string) => resources(bundle).find((r: Json) => r.resourceType === type);
/** The fixture with another trigger event (MSH-9.2 and EVN-1). */
const asTrigger = (trigger: string, text = ADT) =>
  text.replace('ADT^A01^ADT_A01', `ADT^${trigger}`).replace('EVN|A01', `EVN|${trigger}`);

describe('mappers: ADT → FHIR', () => {
  const validator = createResourceValidator();

  it('maps the golden ADT^A01 (ISO-8859-1, BSN, Dutch name parts, address, contact, insurance) field by field', () => {
    const bundle = map(ADT);
    expect(bundle.entry.map((e: Json) => e.request)).to.deep.equal(GOLDEN.entry.map((e: Json) => e.request));
    GOLDEN.entry.forEach((expected: Json, i: number) => {
      const got = bundle.entry[i];
      for (const key of new Set([...Object.keys(expected.resource), ...Object.keys(got.resource)])) {
        expect(got.resource[key], `${expected.resource.resourceType}.${key}`).to.deep.equal(
          expected.resource[key],
        );
      }
    });
    expect(bundle).to.deep.equal(GOLDEN);
    const patient = of(bundle, 'Patient');
    expect(patient.name[0].given).to.deep.equal(['Renée', 'M.']);
    expect(patient.identifier).to.deep.include({
      system: 'http://fhir.nl/fhir/NamingSystem/bsn',
      value: '999911120',
    });
    expect(of(bundle, 'Encounter').serviceProvider).to.deep.equal({ reference: 'Organization/zkh-oost' });
    // Found by BSN or hospital number: one first registered by number is the same patient later.
    expect(decodeURIComponent(bundle.entry[0].request.url)).to.equal(
      'Patient?identifier=http://fhir.nl/fhir/NamingSystem/bsn|999911120,https://zorgpoort.nl/fhir/NamingSystem/patient-number/ZKH-OOST|7654321',
    );
  });

  it('every mapped resource is valid FHIR and conforms to its nl-core profile', () => {
    for (const resource of resources(map(ADT))) {
      // References to the transaction's own entries are resolved when it is applied.
      const errors = validator
        .validate(resource)
        .filter((i) => i.severity === 'error' || i.severity === 'fatal');
      expect(errors, `${resource.resourceType}: ${JSON.stringify(errors)}`).to.deep.equal([]);
      for (const profile of resource.meta?.profile ?? []) {
        const issues = validator.profiles.validate(resource, profile);
        expect(issues, `${profile} is loaded`).not.to.equal(undefined);
        const bad = issues!.filter((i) => i.severity === 'error' || i.severity === 'fatal');
        expect(bad, `${resource.resourceType} against ${profile}: ${JSON.stringify(bad)}`).to.deep.equal([]);
      }
    }
  });

  it('the same message maps to the same transaction: resending it changes, not duplicates', () => {
    expect(map(ADT)).to.deep.equal(map(ADT));
    expect(
      map(ADT).entry.every((e: Json) => e.request.method === 'PUT' && /\?identifier=/.test(e.request.url)),
    ).to.equal(true);
  });

  it("the trigger decides the Encounter's status; person events carry no Encounter", () => {
    const discharged = map(
      asTrigger('A03', ADT.replace('|20261207090000', '|20261207090000|20261208110000')),
    );
    expect(of(discharged, 'Encounter')).to.deep.include({ status: 'finished' });
    expect(of(discharged, 'Encounter').period).to.deep.equal({
      start: '2026-12-07T09:00:00+01:00',
      end: '2026-12-08T11:00:00+01:00',
    });
    // A discharge without PV1-45 ends when the event happened (EVN-2).
    expect(of(map(asTrigger('A03')), 'Encounter').period.end).to.equal('2026-12-07T09:30:00+01:00');
    expect(of(map(asTrigger('A11')), 'Encounter').status).to.equal('cancelled');
    expect(of(map(asTrigger('A05')), 'Encounter').status).to.equal('planned');
    expect(of(map(asTrigger('A13')), 'Encounter').status).to.equal('in-progress');
    for (const person of ['A28', 'A31']) {
      expect(
        resources(map(asTrigger(person))).map((r: Json) => r.resourceType),
        person,
      ).to.deep.equal(['Patient', 'RelatedPerson', 'Coverage']);
    }
    const outpatient = map(asTrigger('A04', ADT.replace('PV1|1|I|', 'PV1|1|O|')));
    expect(of(outpatient, 'Encounter').class.code).to.equal('AMB');
  });

  it('a patient without BSN is known by the hospital number; none at all is refused on PID-3', () => {
    const noBsn = ADT.replace('~999911120^^^NLMINBIZA^NNNLD', '');
    const entry = map(noBsn).entry[0];
    expect(decodeURIComponent(entry.request.url)).to.equal(
      'Patient?identifier=https://zorgpoort.nl/fhir/NamingSystem/patient-number/ZKH-OOST|7654321',
    );
    expect(JSON.stringify(map(noBsn))).not.to.contain('999911120');
    const none = ADT.replace('7654321^^^ZKH-OOST^PI~999911120^^^NLMINBIZA^NNNLD', '');
    expect(() => map(none))
      .to.throw(/PID-3/)
      .with.property('field', 3);
  });
});
