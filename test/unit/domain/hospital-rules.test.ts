import { expect } from 'chai';
import { approvedParams, isApproved } from '../../../server/domain/hospital/approved.ts';
import { medicationCategory } from '../../../server/domain/hospital/medication-category.ts';
import { orderedByHospital } from '../../../server/domain/hospital/ordered-by-hospital.ts';
import { resultFlag } from '../../../server/domain/hospital/result-flag.ts';

type Json = Record<string, any>;
const now = new Date('2026-06-15T12:00:00Z');
const PERIOD = 'http://nictiz.nl/fhir/StructureDefinition/ext-TimeInterval.Period';
const STOP = 'http://nictiz.nl/fhir/StructureDefinition/ext-StopType';
const CUSTODIAN = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';
const sct = (code: string) => ({ coding: [{ system: 'http://snomed.info/sct', code }] });
const held = (org: string) => ({ meta: { tag: [{ system: CUSTODIAN, code: org }] } });

describe('hospital portal rules', () => {
  describe('medication in the five categories', () => {
    const request = (over: Json) => ({
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      ...over,
    });
    const period = (start?: string, end?: string) => ({
      extension: [{ url: PERIOD, valuePeriod: { ...(start ? { start } : {}), ...(end ? { end } : {}) } }],
    });

    it('active: clinical when its category is inpatient, home otherwise', () => {
      expect(medicationCategory(request({}), now)).to.equal('active-home');
      const inpatient = [{ coding: [{ code: 'inpatient' }] }];
      expect(medicationCategory(request({ category: inpatient }), now)).to.equal('active-clinical');
      const statement = { resourceType: 'MedicationStatement', status: 'active', category: inpatient[0] };
      expect(medicationCategory(statement, now)).to.equal('active-clinical');
    });

    it('planned: a period of use that starts after now, or a statement of intent', () => {
      expect(medicationCategory(request(period('2026-06-16')), now)).to.equal('planned');
      expect(medicationCategory(request(period('2026-06-15T11:00:00Z')), now)).to.equal('active-home');
      expect(medicationCategory({ resourceType: 'MedicationStatement', status: 'intended' }, now)).to.equal(
        'planned',
      );
    });

    it('stopped: MP9 stop type "stopgezet" or status stopped; ended: "onderbroken", on hold, completed or past its period', () => {
      expect(
        medicationCategory(
          request({ modifierExtension: [{ url: STOP, valueCodeableConcept: sct('410546004') }] }),
          now,
        ),
      ).to.equal('stopped');
      expect(medicationCategory(request({ status: 'stopped' }), now)).to.equal('stopped');
      expect(
        medicationCategory(
          request({ modifierExtension: [{ url: STOP, valueCodeableConcept: sct('385655000') }] }),
          now,
        ),
      ).to.equal('ended');
      expect(medicationCategory(request({ status: 'on-hold' }), now)).to.equal('ended');
      expect(medicationCategory(request({ status: 'completed' }), now)).to.equal('ended');
      expect(medicationCategory(request(period('2026-01-01', '2026-06-01')), now)).to.equal('ended');
    });

    it('leaves out what is not medication in use: errors, drafts, proposals, cancelled', () => {
      for (const over of [
        { status: 'entered-in-error' },
        { status: 'draft' },
        { status: 'cancelled' },
        { intent: 'proposal' },
      ]) {
        expect(medicationCategory(request(over), now), JSON.stringify(over)).to.equal(undefined);
      }
      expect(medicationCategory({ resourceType: 'Observation', status: 'final' }, now)).to.equal(undefined);
    });
  });

  describe('low/high flag of a result', () => {
    const range = [{ low: { value: 3.5 }, high: { value: 5 } }];
    it('takes the laboratory’s interpretation first', () => {
      const interpretation = (code: string) => [{ coding: [{ code }] }];
      expect(
        resultFlag({
          valueQuantity: { value: 4 },
          referenceRange: range,
          interpretation: interpretation('H'),
        }),
      ).to.equal('high');
      expect(resultFlag({ interpretation: interpretation('LL') })).to.equal('low');
      expect(resultFlag({ interpretation: interpretation('N') })).to.equal('normal');
    });
    it('else compares the value with the range, bounds included as normal', () => {
      expect(resultFlag({ valueQuantity: { value: 3.4 }, referenceRange: range })).to.equal('low');
      expect(resultFlag({ valueQuantity: { value: 3.5 }, referenceRange: range })).to.equal('normal');
      expect(resultFlag({ valueQuantity: { value: 5 }, referenceRange: range })).to.equal('normal');
      expect(resultFlag({ valueQuantity: { value: 5.01 }, referenceRange: range })).to.equal('high');
      expect(resultFlag({ valueQuantity: { value: 9 }, referenceRange: [{ low: { value: 3 } }] })).to.equal(
        'normal',
      );
    });
    it('says nothing without a number or a bound', () => {
      expect(resultFlag({ valueString: 'positief', referenceRange: range })).to.equal(undefined);
      expect(resultFlag({ valueQuantity: { value: 4 }, referenceRange: [{ text: 'negatief' }] })).to.equal(
        undefined,
      );
    });
  });

  describe('results ordered by the hospital', () => {
    const result = (basedOn?: string) => ({
      ...held('zgt'),
      ...(basedOn ? { basedOn: [{ reference: basedOn }] } : {}),
    });
    const included = new Map<string, Json>([
      ['ServiceRequest/zgt', { ...held('zgt'), requester: { reference: 'PractitionerRole/internist' } }],
      ['PractitionerRole/internist', { organization: { reference: 'Organization/zgt' } }],
      ['ServiceRequest/gp-system', { ...held('praktijk'), requester: { reference: 'Practitioner/gp' } }],
      ['ServiceRequest/gp-via-his', { ...held('zgt'), requester: { reference: 'PractitionerRole/gp' } }],
      ['PractitionerRole/gp', { organization: { reference: 'Organization/praktijk' } }],
      ['ServiceRequest/org', { ...held('zgt'), requester: { reference: 'Organization/praktijk' } }],
    ]);
    it('shows results of the hospital’s own orders and of no known order', () => {
      expect(orderedByHospital(result('ServiceRequest/zgt'), included)).to.equal(true);
      expect(orderedByHospital(result(), included)).to.equal(true);
    });
    it('leaves out the GP’s orders: placed by the GP’s system, or requested by a GP’s role or organisation', () => {
      expect(orderedByHospital(result('ServiceRequest/gp-system'), included)).to.equal(false);
      expect(orderedByHospital(result('ServiceRequest/gp-via-his'), included)).to.equal(false);
      expect(orderedByHospital(result('ServiceRequest/org'), included)).to.equal(false);
    });
    it('leaves out a result whose order the caller may not see', () => {
      expect(orderedByHospital(result('ServiceRequest/hidden'), included)).to.equal(false);
    });
  });

  describe('approved data only', () => {
    it('adds the gate’s approval criteria of each type to a screen’s search, and never shows an entry in error', () => {
      expect(approvedParams('Condition')).to.deep.equal([['verification-status', 'confirmed,refuted']]);
      expect(approvedParams('DocumentReference')).to.deep.equal([
        ['status', 'current'],
        ['doc-status:not', 'preliminary'],
        ['doc-status:not', 'entered-in-error'],
      ]);
      expect(approvedParams('Appointment')).to.deep.equal([]);
      expect(isApproved({ resourceType: 'Appointment', status: 'booked' })).to.equal(true);
      expect(isApproved({ resourceType: 'Appointment', status: 'entered-in-error' })).to.equal(false);
    });
  });
});

describe('hospital portal README', () => {
  it('lists every view with its call, so the screen → call table cannot fall behind views.ts', async () => {
    const { readFileSync } = await import('node:fs');
    const { VIEWS } = await import('../../../server/domain/hospital/views.ts');
    const readme = readFileSync(
      new URL('../../../server/domain/hospital/README.md', import.meta.url),
      'utf8',
    );
    for (const v of VIEWS) {
      const call = `${v.scope === 'patient' ? 'Patient/[id]' : 'Patient'}/$portal-view?view=${v.code}\``;
      expect(readme, v.code).to.contain(call);
      expect(readme, v.code).to.contain(v.screen.nl);
    }
  });
});
