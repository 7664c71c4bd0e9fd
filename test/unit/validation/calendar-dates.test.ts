import { expect } from 'chai';
import { impossibleDate } from '../../../server/fhir/search/values/date.ts';
import { expectIssue, expectSingleIssue, minimalObservation, validate } from './helpers.ts';

const patient = (extra: Record<string, unknown>) => ({ resourceType: 'Patient', ...extra });
const observation = (extra: Record<string, unknown>) => ({ ...minimalObservation, ...extra });

describe('validation: calendar dates', () => {
  describe('date', () => {
    for (const birthDate of [
      '1980',
      '1980-02',
      '2000-02-29',
      '2024-02-29',
      '2021-01-31',
      '2021-12-31',
      '0001-01-01',
    ]) {
      it(`accepts ${birthDate}`, () => {
        expect(validate(patient({ birthDate }))).to.deep.equal([]);
      });
    }

    const impossible = [
      '1980-02-30',
      '1900-02-29',
      '2023-02-29',
      '2021-04-31',
      '2021-06-31',
      '2021-09-31',
      '2021-11-31',
    ];
    for (const birthDate of impossible) {
      it(`refuses ${birthDate}`, () => {
        expectSingleIssue(validate(patient({ birthDate })), 'value', 'Patient.birthDate');
      });
    }

    it('says which day the month does not have', () => {
      const issue = expectSingleIssue(
        validate(patient({ birthDate: '1980-02-30' })),
        'value',
        'Patient.birthDate',
      );
      expect(issue.diagnostics).to.equal(
        '"1980-02-30" is not a valid FHIR date: it has day 30, which 1980-02 does not have',
      );
    });

    it('leaves a malformed date to the schema: one issue, its message', () => {
      for (const birthDate of [
        '2020-13-01',
        '2020-00-10',
        '2020-01-32',
        '0000-01-01',
        '2020-02-30T10:00:00Z',
      ]) {
        const issue = expectSingleIssue(validate(patient({ birthDate })), 'value', 'Patient.birthDate');
        expect(issue.diagnostics).to.equal(`"${birthDate}" is not a valid FHIR date`);
      }
    });
  });

  describe('dateTime', () => {
    const valid = [
      '2020-02-29T10:00:00+01:00',
      '2021-02-28T23:59:59.999Z',
      '2021-03-01T00:00:00-14:00',
      '2021-03-01T00:00:00+14:00',
      '2021-03-01T12:30:00+05:45',
      // The FHIR pattern allows a leap second.
      '2016-12-31T23:59:60Z',
      '2021-02',
    ];
    for (const effectiveDateTime of valid) {
      it(`accepts ${effectiveDateTime}`, () => {
        expect(validate(observation({ effectiveDateTime }))).to.deep.equal([]);
      });
    }

    const invalid = [
      '2021-02-29T10:00:00Z',
      '2021-04-31T00:00:00+02:00',
      '2020-01-01T24:00:00Z',
      '2020-01-01T23:60:00Z',
      '2020-01-01T23:59:61Z',
      '2020-01-01T10:00:00+14:30',
      '2020-01-01T10:00:00+15:00',
      '2020-01-01T10:00:00-05:60',
      '2020-01-01T10:00:00',
    ];
    for (const effectiveDateTime of invalid) {
      it(`refuses ${effectiveDateTime}`, () => {
        expectSingleIssue(
          validate(observation({ effectiveDateTime })),
          'value',
          'Observation.effectiveDateTime',
        );
      });
    }

    it('names the impossible day', () => {
      const issue = expectSingleIssue(
        validate(observation({ effectiveDateTime: '2021-02-29T10:00:00Z' })),
        'value',
        'Observation.effectiveDateTime',
      );
      expect(issue.diagnostics).to.equal(
        '"2021-02-29T10:00:00Z" is not a valid FHIR dateTime: it has day 29, which 2021-02 does not have',
      );
    });
  });

  describe('instant', () => {
    it('accepts a real instant and refuses February 29 of a common year', () => {
      expect(validate(patient({ meta: { lastUpdated: '2024-02-29T08:00:00.123Z' } }))).to.deep.equal([]);
      const issue = expectSingleIssue(
        validate(patient({ meta: { lastUpdated: '2023-02-29T08:00:00Z' } })),
        'value',
        'Patient.meta.lastUpdated',
      );
      expect(issue.diagnostics).to.match(
        /^"2023-02-29T08:00:00Z" is not a valid FHIR instant: it has day 29/,
      );
    });
  });

  describe('time', () => {
    for (const valueTime of ['00:00:00', '23:59:59', '23:59:60', '12:30:00.5']) {
      it(`accepts ${valueTime}`, () => {
        expect(validate(observation({ valueTime }))).to.deep.equal([]);
      });
    }
    for (const valueTime of ['24:00:00', '12:60:00', '12:00:61', '10:00', '10:00:00Z']) {
      it(`refuses ${valueTime}`, () => {
        expectSingleIssue(validate(observation({ valueTime })), 'value', 'Observation.valueTime');
      });
    }
  });

  describe('wherever a date is', () => {
    const bad = '2021-02-29';

    it('in backbone elements and data types', () => {
      const issues = validate(patient({ contact: [{ period: { start: '2020-01-01', end: bad } }] }));
      expectSingleIssue(issues, 'value', 'Patient.contact[0].period.end');
    });

    it('in lists, at the index of the bad one', () => {
      const request = {
        resourceType: 'MedicationRequest',
        status: 'active',
        intent: 'order',
        medicationCodeableConcept: { text: 'paracetamol' },
        subject: { reference: 'Patient/1' },
        dosageInstruction: [{ timing: { event: ['2021-02-28', bad], repeat: { timeOfDay: ['08:00:00'] } } }],
      };
      expectSingleIssue(validate(request), 'value', 'MedicationRequest.dosageInstruction[0].timing.event[1]');
    });

    it('in choice elements and extensions, also on a primitive (_x)', () => {
      const issues = validate(
        patient({
          deceasedDateTime: `${bad}T10:00:00Z`,
          extension: [{ url: 'http://example.org/a', valueDate: bad }],
          _birthDate: {
            extension: [
              { url: 'http://example.org/b', extension: [{ url: 'when', valueInstant: `${bad}T00:00:00Z` }] },
            ],
          },
        }),
      );
      expect(issues).to.have.length(3);
      expectIssue(issues, 'value', 'Patient.deceasedDateTime');
      expectIssue(issues, 'value', 'Patient.extension[0].valueDate');
      expectIssue(issues, 'value', 'Patient.birthDate.extension[0].extension[0].valueInstant');
    });

    it('in contained resources, Bundle entries and Parameters', () => {
      expectSingleIssue(
        validate(patient({ contained: [{ resourceType: 'Patient', id: 'p', birthDate: bad }] })),
        'value',
        'Patient.contained[0].birthDate',
      );
      const bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ resource: patient({ birthDate: bad }), request: { method: 'POST', url: 'Patient' } }],
      };
      expectSingleIssue(validate(bundle), 'value', 'Bundle.entry[0].resource.birthDate');
      const parameters = { resourceType: 'Parameters', parameter: [{ name: 'when', valueDate: bad }] };
      expectSingleIssue(validate(parameters), 'value', 'Parameters.parameter[0].valueDate');
    });

    it('one issue per impossible date', () => {
      const issues = validate(patient({ birthDate: bad, deceasedDateTime: '2021-11-31T10:00:00Z' }));
      expect(issues.map((i) => i.expression?.[0])).to.deep.equal([
        'Patient.birthDate',
        'Patient.deceasedDateTime',
      ]);
    });

    it('not in strings that merely look like dates', () => {
      expect(validate(patient({ name: [{ text: bad }] }))).to.deep.equal([]);
    });
  });

  it('shares its calendar with the search parameters (impossibleDate)', () => {
    expect(impossibleDate('1980-02-30')).to.equal('has day 30, which 1980-02 does not have');
    expect(impossibleDate('2000-02-29')).to.equal(undefined);
    expect(impossibleDate('2016-12-31T23:59:60Z')).to.equal(undefined);
    expect(impossibleDate('2020-01-01T24:00:00Z')).to.equal('has hour 24; hours run from 00 to 23');
    expect(impossibleDate('2020-01-01T10:00:00+15:00')).to.match(/time zone \+15:00/);
    expect(impossibleDate('not a date')).to.equal(undefined);
  });
});
