import { expect } from 'chai';
import { dateEntries, TIME_INTERVAL_DURATION } from '../../../server/fhir/search/extract/date.ts';
import { createIndexer } from '../../../server/fhir/search/extract/indexer.ts';
import {
  defaultSearchParameterFiles,
  loadSearchParameters,
  SearchParamRegistry,
} from '../../../server/fhir/search/registry/registry.ts';

const MIN = -8.64e15;
const MAX = 8.64e15;
const ms = (iso: string) => Date.parse(iso);
const DAY = 86_400_000;
const UCUM = 'http://unitsofmeasure.org';

/** A Period with an nl-core TimeInterval duration of `value` `code`. */
const withDuration = (
  period: Record<string, unknown>,
  value: unknown,
  code: string,
  system: unknown = UCUM,
) => ({
  extension: [{ url: TIME_INTERVAL_DURATION, valueDuration: { value, unit: code, system, code } }],
  ...period,
});
const entries = (value: unknown) => dateEntries({ type: 'Period', value });

describe('search extract: date, Period with a TimeInterval duration (nl-core / MP9)', () => {
  it('start + duration gives the end', () => {
    const start = '2026-10-03T00:00:00+02:00';
    expect(entries(withDuration({ start }, 7, 'd'))).to.deep.equal([
      { lo: ms(start), hi: ms(start) + 999 + 7 * DAY },
    ]);
  });

  it("keeps the start's precision: a date start ends at the end of a day", () => {
    expect(entries(withDuration({ start: '2026-10-23' }, 2, 'wk'))).to.deep.equal([
      { lo: ms('2026-10-23T00:00:00Z'), hi: ms('2026-11-06T23:59:59.999Z') },
    ]);
  });

  it('end − duration gives the start', () => {
    expect(entries(withDuration({ end: '2026-11-10' }, 10, 'd'))).to.deep.equal([
      { lo: ms('2026-10-31T00:00:00Z'), hi: ms('2026-11-10T23:59:59.999Z') },
    ]);
  });

  it('hours and minutes are fixed lengths', () => {
    const start = '2026-10-03T08:00:00Z';
    expect(entries(withDuration({ start }, 1.5, 'h'))).to.deep.equal([
      { lo: ms(start), hi: ms('2026-10-03T09:30:00.999Z') },
    ]);
    expect(entries(withDuration({ start }, 30, 'min'))).to.deep.equal([
      { lo: ms(start), hi: ms('2026-10-03T08:30:00.999Z') },
    ]);
  });

  it('whole months and years are calendar months and years, clamped to the last day', () => {
    expect(entries(withDuration({ start: '2024-01-31' }, 1, 'mo'))).to.deep.equal([
      { lo: ms('2024-01-31T00:00:00Z'), hi: ms('2024-02-29T23:59:59.999Z') },
    ]);
    expect(entries(withDuration({ start: '2024-02-29' }, 1, 'a'))).to.deep.equal([
      { lo: ms('2024-02-29T00:00:00Z'), hi: ms('2025-02-28T23:59:59.999Z') },
    ]);
    expect(entries(withDuration({ end: '2024-03-31' }, 1, 'mo'))).to.deep.equal([
      { lo: ms('2024-02-29T00:00:00Z'), hi: ms('2024-03-31T23:59:59.999Z') },
    ]);
  });

  it('a Period with both bounds ignores the duration', () => {
    expect(entries(withDuration({ start: '2026-01-01', end: '2026-01-31' }, 1, 'd'))).to.deep.equal([
      { lo: ms('2026-01-01T00:00:00Z'), hi: ms('2026-01-31T23:59:59.999Z') },
    ]);
  });

  it('an unusable duration leaves the bound open', () => {
    const open = [{ lo: ms('2026-01-01T00:00:00Z'), hi: MAX }];
    for (const period of [
      withDuration({ start: '2026-01-01' }, -1, 'd'),
      withDuration({ start: '2026-01-01' }, '7', 'd'),
      withDuration({ start: '2026-01-01' }, 7, 'dag'),
      withDuration({ start: '2026-01-01' }, 7, 'd', 'urn:oid:2.16.840.1.113883.2.4.4.1.900.2'),
      {
        extension: [{ url: 'http://example.org/other', valueDuration: { value: 7, code: 'd' } }],
        start: '2026-01-01',
      },
    ]) {
      expect(entries(period), JSON.stringify(period)).to.deep.equal(open);
    }
    expect(entries(withDuration({ end: '2026-01-01' }, 7, 'x'))).to.deep.equal([
      { lo: MIN, hi: ms('2026-01-01T23:59:59.999Z') },
    ]);
  });

  it('the Nictiz period-of-use parameter indexes the MP9 extension and MedicationUse2 effectivePeriod', () => {
    const registry = new SearchParamRegistry(loadSearchParameters([defaultSearchParameterFiles[1]!]));
    const index = createIndexer(registry, []);
    const periodOfUse = (resource: Record<string, unknown>) =>
      index(resource as { resourceType: string })
        .rows.filter((r) => r.param.endsWith('.period-of-use'))
        .map((r) => [r.param, (r as { lo: number }).lo, (r as { hi: number }).hi]);
    const period = withDuration({ start: '2026-10-03' }, 1, 'wk');
    const expected = [ms('2026-10-03T00:00:00Z'), ms('2026-10-10T23:59:59.999Z')];
    expect(
      periodOfUse({
        resourceType: 'MedicationRequest',
        extension: [
          { url: 'http://nictiz.nl/fhir/StructureDefinition/ext-TimeInterval.Period', valuePeriod: period },
        ],
      }),
    ).to.deep.equal([['MedicationRequest.period-of-use', ...expected]]);
    expect(periodOfUse({ resourceType: 'MedicationStatement', effectivePeriod: period })).to.deep.equal([
      ['MedicationStatement.period-of-use', ...expected],
    ]);
    expect(
      periodOfUse({ resourceType: 'MedicationStatement', effectiveDateTime: '2026-10-03' }),
    ).to.deep.equal([]);
  });
});
