import { expect } from 'chai';
import { days, reminderDue, supplyOf } from '../../../server/domain/practice/medication-supply.ts';

const DAY = 86_400_000;
const request = (fields: Record<string, unknown> = {}) => ({ id: 'mr', authoredOn: '2027-01-01', ...fields });
const twiceDaily = [
  {
    timing: { repeat: { frequency: 2, period: 1, periodUnit: 'd' } },
    doseAndRate: [{ doseQuantity: { value: 1, unit: 'tablet' } }],
  },
];

describe('medication supply: when a prescription runs out', () => {
  it('durations in days, weeks and months; anything else is no duration', () => {
    expect(days({ value: 30, code: 'd' })).to.equal(30);
    expect(days({ value: 2, unit: 'weken' })).to.equal(14);
    expect(days({ value: 3, code: 'mo' })).to.equal(90);
    expect(days({ value: 30, code: 'mg' })).to.equal(undefined);
    expect(days({ value: -1, code: 'd' })).to.equal(undefined);
  });

  it('the latest completed dispense: handed over + days supply, or + quantity ÷ daily use', () => {
    const dispenses = [
      {
        id: 'old',
        status: 'completed',
        whenHandedOver: '2027-01-01T00:00:00Z',
        daysSupply: { value: 30, code: 'd' },
      },
      {
        id: 'new',
        status: 'completed',
        whenHandedOver: '2027-02-01T00:00:00Z',
        quantity: { value: 56, unit: 'tablet' },
      },
      {
        id: 'void',
        status: 'cancelled',
        whenHandedOver: '2027-02-20T00:00:00Z',
        daysSupply: { value: 1, code: 'd' },
      },
    ];
    const supply = supplyOf(request({ dosageInstruction: twiceDaily }), dispenses)!;
    expect(supply.key).to.equal('MedicationDispense/new');
    expect(supply.runsOut.toISOString()).to.equal('2027-03-01T00:00:00.000Z');
    // As needed, or counted in another unit: the quantity says nothing; the prescription decides.
    const asNeeded = [{ ...twiceDaily[0], asNeededBoolean: true }];
    expect(supplyOf(request({ dosageInstruction: asNeeded }), dispenses.slice(1, 2))).to.equal(undefined);
  });

  it('without a dispense: expected supply from validity start or authoring, dosage bounds, validity end', () => {
    const expected = supplyOf(
      request({
        dispenseRequest: {
          expectedSupplyDuration: { value: 10, code: 'd' },
          validityPeriod: { start: '2027-02-01', end: '2027-12-31' },
        },
      }),
      [],
    )!;
    expect(expected.runsOut.toISOString()).to.equal('2027-02-11T00:00:00.000Z');
    expect(expected.key).to.equal('MedicationRequest/mr|2027-02-11T00:00:00.000Z');
    const bounded = supplyOf(
      request({ dosageInstruction: [{ timing: { repeat: { boundsPeriod: { end: '2027-04-01' } } } }] }),
      [],
    )!;
    expect(bounded.runsOut.toISOString()).to.equal('2027-04-01T00:00:00.000Z');
    expect(
      supplyOf(
        request({ dispenseRequest: { validityPeriod: { end: '2027-05-01' } } }),
        [],
      )!.runsOut.toISOString(),
    ).to.equal('2027-05-01T00:00:00.000Z');
    expect(supplyOf(request(), [])).to.equal(undefined);
  });

  it('due from `days` before running out until it has run out', () => {
    const supply = { key: 'k', runsOut: new Date('2027-03-10T00:00:00Z') };
    const at = (iso: string) => new Date(iso);
    expect(reminderDue(supply, at('2027-03-02T23:59:00Z'), 7)).to.equal(false);
    expect(reminderDue(supply, at('2027-03-03T00:00:00Z'), 7)).to.equal(true);
    expect(reminderDue(supply, at('2027-03-10T00:00:00Z'), 7)).to.equal(true);
    expect(reminderDue(supply, new Date(supply.runsOut.getTime() + DAY), 7)).to.equal(false);
  });
});
