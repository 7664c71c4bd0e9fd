import { expect } from 'chai';
import { FhirError } from '../../../server/fhir/errors.ts';
import { parseDateRange, storedDateRange } from '../../../server/fhir/search/values/date.ts';
import { splitUnescaped, unescapeValue } from '../../../server/fhir/search/values/escape.ts';
import { normalizeText } from '../../../server/fhir/search/values/normalize.ts';
import { parseNumberValue } from '../../../server/fhir/search/values/number.ts';
import { splitPrefix } from '../../../server/fhir/search/values/prefix.ts';
import { parseQuantityValue } from '../../../server/fhir/search/values/quantity.ts';
import { parseTokenValue } from '../../../server/fhir/search/values/token.ts';

/** A 400 FhirError with code `value` whose message starts with the parameter name and quotes `quoted`. */
function expectValueError(fn: () => unknown, name: string, quoted: string): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${quoted} to be refused`).to.be.instanceOf(FhirError);
  const fhirError = error as FhirError;
  expect(fhirError.status).to.equal(400);
  expect(fhirError.issues[0]?.code).to.equal('value');
  expect(fhirError.message.startsWith(`${name}: `), fhirError.message).to.equal(true);
  expect(fhirError.message).to.include(`'${quoted}'`);
}

const ms = (iso: string) => Date.parse(iso);

describe('search values: normalizeText', () => {
  const cases: [string, string][] = [
    ['Jöns', 'jons'],
    ['ÅSA ÇELIK', 'asa celik'],
    ['e\u0301le\u0300ve', 'eleve'], // already decomposed
    ['İstanbul', 'istanbul'],
    ['Straße', 'straße'],
    ['Ĳsselmeer', 'ĳsselmeer'],
    ['', ''],
  ];
  for (const [input, output] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(output)}`, () =>
      expect(normalizeText(input)).to.equal(output));
  }
});

describe('search values: escapes', () => {
  const splits: [string, ',' | '|' | '$', string[]][] = [
    ['a,b', ',', ['a', 'b']],
    ['a\\,b,c', ',', ['a\\,b', 'c']],
    ['a\\\\,b', ',', ['a\\\\', 'b']],
    ['', ',', ['']],
    [',', ',', ['', '']],
    ['a|b\\|c', '|', ['a', 'b\\|c']],
    ['a,b', '|', ['a,b']],
    ['s|c\\$d$e', '$', ['s|c\\$d', 'e']],
    ['a\\', ',', ['a\\']],
  ];
  for (const [value, sep, parts] of splits) {
    it(`splits ${JSON.stringify(value)} on '${sep}'`, () =>
      expect(splitUnescaped(value, sep)).to.deep.equal(parts));
  }

  const unescapes: [string, string][] = [
    ['a\\,b', 'a,b'],
    ['a\\|b', 'a|b'],
    ['a\\$b', 'a$b'],
    ['a\\\\b', 'a\\b'],
    ['a\\\\\\,b', 'a\\,b'],
    ['a\\nb', 'a\\nb'],
    ['plain', 'plain'],
  ];
  for (const [value, plain] of unescapes) {
    it(`unescapes ${JSON.stringify(value)}`, () => expect(unescapeValue(value)).to.equal(plain));
  }

  it('splits an OR list before splitting each item on |', () => {
    const items = splitUnescaped('s\\,1|a\\|b,s2|c', ',').map((item) =>
      splitUnescaped(item, '|').map(unescapeValue),
    );
    expect(items).to.deep.equal([
      ['s,1', 'a|b'],
      ['s2', 'c'],
    ]);
  });
});

describe('search values: prefixes', () => {
  const cases: [string, string, string][] = [
    ['gt100', 'gt', '100'],
    ['ge2020-01', 'ge', '2020-01'],
    ['eb-5', 'eb', '-5'],
    ['ap+5', 'ap', '+5'],
    ['ne0', 'ne', '0'],
    ['sa2020', 'sa', '2020'],
    ['100', 'eq', '100'],
    ['2020', 'eq', '2020'],
    ['gt', 'eq', 'gt'],
    ['gtx', 'eq', 'gtx'],
    ['e5', 'eq', 'e5'],
    ['', 'eq', ''],
  ];
  for (const [value, prefix, rest] of cases) {
    it(`${JSON.stringify(value)} → ${prefix} ${JSON.stringify(rest)}`, () =>
      expect(splitPrefix(value)).to.deep.equal({ prefix, rest }));
  }

  it('refuses an unknown two-letter prefix, naming the parameter', () => {
    expectValueError(() => splitPrefix('xx2020', 'birthdate'), 'birthdate', 'xx2020');
    expectValueError(() => splitPrefix('GT100', 'value'), 'value', 'GT100');
    expectValueError(() => splitPrefix('zz-1'), 'search value', 'zz-1');
  });
});

describe('search values: dates', () => {
  const cases: [string, string, string][] = [
    ['2020', '2020-01-01T00:00:00.000Z', '2020-12-31T23:59:59.999Z'],
    ['2020-02', '2020-02-01T00:00:00.000Z', '2020-02-29T23:59:59.999Z'],
    ['2021-02', '2021-02-01T00:00:00.000Z', '2021-02-28T23:59:59.999Z'],
    ['1900-02', '1900-02-01T00:00:00.000Z', '1900-02-28T23:59:59.999Z'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z', '2000-02-29T23:59:59.999Z'],
    ['2020-12', '2020-12-01T00:00:00.000Z', '2020-12-31T23:59:59.999Z'],
    ['2020-04-30', '2020-04-30T00:00:00.000Z', '2020-04-30T23:59:59.999Z'],
    ['2020-03-04T10:00', '2020-03-04T10:00:00.000Z', '2020-03-04T10:00:59.999Z'],
    ['2020-03-04T10:00Z', '2020-03-04T10:00:00.000Z', '2020-03-04T10:00:59.999Z'],
    ['2020-03-04T10:00:00', '2020-03-04T10:00:00.000Z', '2020-03-04T10:00:00.999Z'],
    ['2020-03-04T10:00:00.5', '2020-03-04T10:00:00.500Z', '2020-03-04T10:00:00.599Z'],
    ['2020-03-04T10:00:00.25', '2020-03-04T10:00:00.250Z', '2020-03-04T10:00:00.259Z'],
    ['2020-03-04T10:00:00.123', '2020-03-04T10:00:00.123Z', '2020-03-04T10:00:00.123Z'],
    ['2020-03-04T10:00:00.123456', '2020-03-04T10:00:00.123Z', '2020-03-04T10:00:00.123Z'],
    ['2020-03-04T10:00:00+14:00', '2020-03-03T20:00:00.000Z', '2020-03-03T20:00:00.999Z'],
    ['2020-03-04T10:00-12:00', '2020-03-04T22:00:00.000Z', '2020-03-04T22:00:59.999Z'],
    ['2020-03-04T10:00:00+05:30', '2020-03-04T04:30:00.000Z', '2020-03-04T04:30:00.999Z'],
    ['2020-12-31T23:59:59.999-12:00', '2021-01-01T11:59:59.999Z', '2021-01-01T11:59:59.999Z'],
    ['2021-01-01T00:00:00+14:00', '2020-12-31T10:00:00.000Z', '2020-12-31T10:00:00.999Z'],
    ['0001', '0001-01-01T00:00:00.000Z', '0001-12-31T23:59:59.999Z'],
    ['0099-06', '0099-06-01T00:00:00.000Z', '0099-06-30T23:59:59.999Z'],
    ['9999', '9999-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'],
  ];
  for (const [text, lo, hi] of cases) {
    it(`${text} → [${lo}, ${hi}]`, () => {
      expect(parseDateRange('date', text)).to.deep.equal({ lo: ms(lo), hi: ms(hi) });
      expect(storedDateRange(text)).to.deep.equal({ lo: ms(lo), hi: ms(hi) });
    });
  }

  const calendar = ['2020-13', '2020-00', '2021-02-29', '1900-02-29', '2020-02-30', '2020-04-31', '0000'];
  const clock = ['2020-01-01T24:00', '2020-01-01T23:60', '2020-01-01T23:59:60', '2020-01-01T10:00+15:00'];
  const zones = [
    '2020-01-01T10:00+14:30',
    '2020-01-01T10:00-05:60',
    '2020-01-01T10:00:00+0100',
    '2020-01-01Z',
  ];
  const partial = ['2020-01-01T10', '2020-01-01T', '2020-01-01T10:00:00.', '2020-1-1', '20200101', '12020'];
  const garbage = [
    '2020-01-01T10:00:00Zjunk',
    '2020-01-01 10:00',
    ' 2020',
    '+2020',
    'today',
    '',
    '2020-01-00',
  ];
  const invalid = [...calendar, ...clock, ...zones, ...partial, ...garbage];
  for (const text of invalid) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      expectValueError(() => parseDateRange('birthdate', text), 'birthdate', text);
      expect(storedDateRange(text)).to.equal(undefined);
    });
  }

  it('says which calendar field is wrong', () => {
    expect(() => parseDateRange('date', '2020-13')).to.throw(FhirError, 'month 13');
    expect(() => parseDateRange('date', '2021-02-29')).to.throw(FhirError, 'day 29, which 2021-02');
    expect(() => parseDateRange('date', '2020-01-01T24:00')).to.throw(FhirError, 'hour 24');
    expect(() => parseDateRange('date', '2020-01-01T10:00+15:00')).to.throw(FhirError, 'time zone +15:00');
  });
});

describe('search values: numbers', () => {
  const cases: [string, number, number, number][] = [
    ['100', 100, 99.5, 100.5],
    ['100.00', 100, 99.995, 100.005],
    ['-100', -100, -100.5, -99.5],
    ['0', 0, -0.5, 0.5],
    ['0.1', 0.1, 0.05, 0.15],
    ['1e2', 100, 50, 150],
    ['1.0e2', 100, 95, 105],
    ['1.00E+2', 100, 99.5, 100.5],
    ['2.5e-3', 0.0025, 0.00245, 0.00255],
    ['+5', 5, 4.5, 5.5],
    ['007', 7, 6.5, 7.5],
    ['1.5e300', 1.5e300, 1.45e300, 1.55e300],
  ];
  for (const [text, value, lo, hi] of cases) {
    it(`${text} → ${value} in [${lo}, ${hi})`, () =>
      expect(parseNumberValue('probability', text)).to.deep.equal({ value, lo, hi }));
  }

  const invalid = [
    '',
    ' ',
    ' 5',
    '5 ',
    'NaN',
    'Infinity',
    '-Infinity',
    '0x10',
    '1,5',
    '1.',
    '.5',
    '1e',
    'e5',
  ];
  const more = ['1e400', '-1e400', '0e400', '5mg', '--5', '1_000', '1/2', 'gt5'];
  for (const text of [...invalid, ...more]) {
    it(`refuses ${JSON.stringify(text)}`, () =>
      expectValueError(() => parseNumberValue('length', text), 'length', text));
  }
});

describe('search values: quantities', () => {
  const ucum = 'http://unitsofmeasure.org';
  const cases: [string, object][] = [
    [`5.4|${ucum}|mg`, { prefix: 'eq', value: 5.4, lo: 5.35, hi: 5.45, system: ucum, code: 'mg' }],
    ['gt5.4||mg', { prefix: 'gt', value: 5.4, lo: 5.35, hi: 5.45, system: undefined, code: 'mg' }],
    ['le100', { prefix: 'le', value: 100, lo: 99.5, hi: 100.5, system: undefined, code: undefined }],
    ['5||', { prefix: 'eq', value: 5, lo: 4.5, hi: 5.5, system: undefined, code: undefined }],
    ['5|http://x|', { prefix: 'eq', value: 5, lo: 4.5, hi: 5.5, system: 'http://x', code: undefined }],
    ['5|http://x\\|y|m\\,g', { prefix: 'eq', value: 5, lo: 4.5, hi: 5.5, system: 'http://x|y', code: 'm,g' }],
    ['ap-3e1|s|c', { prefix: 'ap', value: -30, lo: -35, hi: -25, system: 's', code: 'c' }],
  ];
  for (const [text, expected] of cases) {
    it(text, () => {
      const { prefix, number, system, code } = parseQuantityValue('value-quantity', text);
      expect({ prefix, ...number, system, code }).to.deep.equal(expected);
    });
  }

  for (const [text, quoted] of [
    ['5|mg', '5|mg'],
    ['5|a|b|c', '5|a|b|c'],
    ['|s|c', ''],
    ['abc||mg', 'abc'],
    ['xx5||mg', 'xx5'],
    ['', ''],
  ]) {
    it(`refuses ${JSON.stringify(text)}`, () =>
      expectValueError(() => parseQuantityValue('value-quantity', text!), 'value-quantity', quoted!));
  }
});

describe('search values: tokens', () => {
  const cases: [string, string | null | undefined, string | undefined][] = [
    ['abc', undefined, 'abc'],
    ['http://loinc.org|8480-6', 'http://loinc.org', '8480-6'],
    ['|abc', null, 'abc'],
    ['http://x|', 'http://x', undefined],
    ['a\\|b', undefined, 'a|b'],
    ['urn:oid:1.2|a\\,b', 'urn:oid:1.2', 'a,b'],
    ['Abc', undefined, 'Abc'],
  ];
  for (const [text, system, code] of cases) {
    it(`${JSON.stringify(text)} → system ${String(system)}, code ${String(code)}`, () =>
      expect(parseTokenValue('code', text)).to.deep.equal({ system, code }));
  }

  for (const text of ['', '|', 'a|b|c']) {
    it(`refuses ${JSON.stringify(text)}`, () =>
      expectValueError(() => parseTokenValue('code', text), 'code', text));
  }
});
