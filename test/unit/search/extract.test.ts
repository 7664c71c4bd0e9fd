import { expect } from 'chai';
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4/index.js';
import { dateEntries } from '../../../server/fhir/search/extract/date.ts';
import type { ElementNode } from '../../../server/fhir/search/extract/node.ts';
import { numberEntries } from '../../../server/fhir/search/extract/number.ts';
import { quantityEntries } from '../../../server/fhir/search/extract/quantity.ts';
import { referenceEntries } from '../../../server/fhir/search/extract/reference.ts';
import { stringEntries } from '../../../server/fhir/search/extract/string.ts';
import { tokenEntries } from '../../../server/fhir/search/extract/token.ts';
import { uriEntries } from '../../../server/fhir/search/extract/uri.ts';

type Case = [type: string | undefined, value: unknown, expected: unknown[]];

/** Rows for values of `type` that index nothing. */
const none = (type: string | undefined, ...values: unknown[]): Case[] => values.map((v) => [type, v, []]);

/** One `it` per row: the extractor's entries for `{ type, value }` deep-equal `expected`. */
function table(extract: (node: ElementNode) => unknown[], cases: Case[]): void {
  for (const [type, value, expected] of cases) {
    it(`${type ?? '(untyped)'} ${JSON.stringify(value)}`, () =>
      expect(extract({ type, value })).to.deep.equal(expected));
  }
}

type S = string | null;
const ms = (iso: string) => Date.parse(iso);
const rng = (lo: string, hi: string) => ({ lo: ms(lo), hi: ms(hi) });
/** From the start of day `a` to the end of day `b`. */
const days = (a: string, b = a) => rng(`${a}T00:00:00Z`, `${b}T23:59:59.999Z`);
const s = (exact: string, norm = exact.toLowerCase()) => ({ norm, exact });
const tok = (system: S, code: S, text: S = null) => ({ system, code, text });
const idt = (system: S, code: S, text: S, typeSystem: S = null, typeCode: S = null) => ({
  ...tok(system, code, text),
  typeSystem,
  typeCode,
});
const ref = (targetType: S, targetId: S, url: S = null) => ({ targetType, targetId, url });
const canon = (url: string, version: S = null) => ({ ...ref(null, null, url), version });
const ident = (targetType: S, identSystem: S, identValue: S) => ({
  ...ref(targetType, null),
  identSystem,
  identValue,
});
const q = (value: number, system: S, code: S, unit: S) => ({ value, system, code, unit });
const V2 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const UCUM = 'http://unitsofmeasure.org';
const LOINC = 'http://loinc.org';
const BSN = 'urn:oid:2.16.840.1.113883.2.4.6.3';
const UUID = 'urn:uuid:6f4c1b2e-3d5a-4e7f-8a9b-0c1d2e3f4a5b';
const ISO = 'urn:iso:std:iso:4217';
const UZI = 'http://fhir.nl/fhir/NamingSystem/uzi';
const SD = 'http://hl7.org/fhir/StructureDefinition/';
const CC = 'CodeableConcept';
const NI = { system: V2, code: 'NI' };
const A = { code: 'a', display: 'A' };
const B = { code: 'b' };
const EXT = 'http://ex.org/fhir/Patient/1';
const MIN = -8.64e15;
const MAX = 8.64e15;

describe('search extract: string', () => {
  const name = { family: 'Jöns', given: ['Åsa', null, 'Jöns'], prefix: ['Dr'], suffix: ['PhD'], text: '' };
  const address = { use: 'home', line: ['Hoofdstraat 1', 'bis'], city: 'Utrecht', postalCode: '3511 AA' };
  table(stringEntries, [
    ['HumanName', name, [s('Jöns', 'jons'), s('Åsa', 'asa'), s('Dr'), s('PhD')]],
    ['HumanName', { given: 'Jan' }, [s('Jan')]],
    ...none('HumanName', 'Jan'),
    ['Address', address, [s('Hoofdstraat 1'), s('bis'), s('Utrecht'), s('3511 AA')]],
    ['Address', { district: 'D', state: 'S', country: 'NL', text: 'T' }, [s('D'), s('S'), s('NL'), s('T')]],
    ['string', 'Çelik', [s('Çelik', 'celik')]],
    ['markdown', '*Bold*', [s('*Bold*')]],
    ['code', 'final', [s('final')]],
    ...none('string', '', null, 42),
    ...none('base64Binary', 'QUJD'),
    ...none('boolean', true),
    ...none('Coding', { code: 'x', display: 'X' }),
    ['System.String', 'Zoë', [s('Zoë', 'zoe')]],
    [undefined, 'Zoë', [s('Zoë', 'zoe')]],
    [undefined, { family: 'Bakker' }, [s('Bakker')]],
    [undefined, { city: 'Gouda', text: 'Markt 1, Gouda' }, [s('Gouda'), s('Markt 1, Gouda')]],
    ...none(undefined, { text: 'only text' }, 7, undefined),
  ]);
});

describe('search extract: token', () => {
  table(tokenEntries, [
    ['Coding', { system: LOINC, code: '8480-6', display: 'Sys BP' }, [tok(LOINC, '8480-6', 'sys bp')]],
    ['Coding', { code: 'A' }, [tok(null, 'A')]],
    ['Coding', { display: 'Ödeem' }, [tok(null, null, 'odeem')]],
    ...none('Coding', { system: '', code: '' }, null),
    [CC, { coding: [A, B], text: 'a' }, [tok(null, 'a', 'a'), tok(null, 'b', 'a')]],
    [CC, { coding: [A, B], text: 'T' }, [tok(null, 'a', 'a'), tok(null, 'b', 't')]],
    [CC, { coding: [A], text: 'Druk' }, [tok(null, 'a', 'a'), tok(null, null, 'druk')]],
    [CC, { text: 'Hoofdpijn' }, [tok(null, null, 'hoofdpijn')]],
    [CC, { coding: [null, 'x', { code: 'a' }] }, [tok(null, 'a')]],
    ...none(CC, { coding: { code: 'not-an-array' } }, {}),
    [
      'Identifier',
      { system: BSN, value: '1', type: { coding: [NI], text: 'Bsn' } },
      [idt(BSN, '1', 'bsn', V2, 'NI')],
    ],
    [
      'Identifier',
      { value: '1', type: { coding: [{ system: V2, code: 'MR' }, { code: 'X' }] } },
      [idt(null, '1', null, V2, 'MR'), idt(null, '1', null, null, 'X')],
    ],
    ['Identifier', { system: 'http://x', value: 'A1' }, [idt('http://x', 'A1', null)]],
    ...none('Identifier', { use: 'official' }),
    ['ContactPoint', { system: 'phone', value: '+31 20 123', use: 'work' }, [tok('phone', '+31 20 123')]],
    ['ContactPoint', { value: 'a@b.nl' }, [tok(null, 'a@b.nl')]],
    ...none('ContactPoint', { system: 'email' }),
    ['boolean', true, [tok(null, 'true')]],
    ['boolean', false, [tok(null, 'false')]],
    ['boolean', 'true', [tok(null, 'true')]],
    ...none('boolean', 1),
    ['code', 'final', [tok(null, 'final')]],
    ['id', 'abc-1', [tok(null, 'abc-1')]],
    ['uri', 'http://x', [tok(null, 'http://x')]],
    ['string', 'Male', [tok(null, 'Male')]],
    ...none('code', '', null),
    ...none('decimal', 5),
    ...none('Quantity', { value: 5, code: 'mg' }),
    [undefined, 'final', [tok(null, 'final')]],
    [undefined, false, [tok(null, 'false')]],
    [undefined, { coding: [{ code: 'a' }] }, [tok(null, 'a')]],
    [undefined, { system: 's', code: 'c' }, [tok('s', 'c')]],
    [undefined, { system: 's', value: 'v' }, [idt('s', 'v', null)]],
    [undefined, { text: 'Alleen tekst' }, [tok(null, null, 'alleen tekst')]],
    ...none(undefined, 12, null),
  ]);
});

describe('search extract: date', () => {
  table(dateEntries, [
    ['date', '2020', [days('2020-01-01', '2020-12-31')]],
    ['date', '2024-02', [days('2024-02-01', '2024-02-29')]],
    ['dateTime', '2020-03-04T10:00:00+01:00', [rng('2020-03-04T09:00:00Z', '2020-03-04T09:00:00.999Z')]],
    ['instant', '2020-03-04T10:00:00.123Z', [rng('2020-03-04T10:00:00.123Z', '2020-03-04T10:00:00.123Z')]],
    ...none('dateTime', 'garbage', '2020-02-30', 2020, null),
    ['Period', { start: '2020-01-01', end: '2020-01-31' }, [days('2020-01-01', '2020-01-31')]],
    ['Period', { start: '2020-01-01' }, [{ lo: days('2020-01-01').lo, hi: MAX }]],
    ['Period', { start: null, end: '2020-01-31' }, [{ lo: MIN, hi: days('2020-01-31').hi }]],
    ...none('Period', { start: 'soon', end: '2020-01-31' }, {}, '2020'),
    [
      'Timing',
      { event: ['2020-01-01', null, 'bad', '2020-01-02'], repeat: { boundsPeriod: { start: '2020-02-01' } } },
      [days('2020-01-01'), days('2020-01-02'), { lo: days('2020-02-01').lo, hi: MAX }],
    ],
    ...none('Timing', { repeat: { boundsDuration: { value: 5, unit: 'd' } } }, { event: '2020-01-01' }),
    ...none('Age', { value: 5, unit: 'a' }),
    ...none('Duration', { value: 5, unit: 'd' }),
    ...none('time', '10:00:00'),
    ...none('string', '2020-01-01'),
    [undefined, '2020-05', [days('2020-05-01', '2020-05-31')]],
    [undefined, { end: '2020-01-01' }, [{ lo: MIN, hi: days('2020-01-01').hi }]],
    [undefined, { event: ['2021-06-15'] }, [days('2021-06-15')]],
    ...none(undefined, { value: 5 }),
  ]);
});

describe('search extract: number', () => {
  table(numberEntries, [
    ['decimal', 5.5, [{ value: 5.5 }]],
    ['decimal', -2.5, [{ value: -2.5 }]],
    ['integer', 3, [{ value: 3 }]],
    ['positiveInt', 1, [{ value: 1 }]],
    ['unsignedInt', 0, [{ value: 0 }]],
    ['decimal', '12.5', [{ value: 12.5 }]],
    ['integer', '1e3', [{ value: 1000 }]],
    ...none('decimal', '12,5', 'abc', '', Number.NaN, Number.POSITIVE_INFINITY, null),
    ['decimal', { value: 5, asStr: '5' }, [{ value: 5 }]],
    ...none('string', '5'),
    ...none('Quantity', { value: 5 }),
    [undefined, 7, [{ value: 7 }]],
    [undefined, '7.5', [{ value: 7.5 }]],
    ...none(undefined, { value: 5 }, true),
  ]);
});

describe('search extract: quantity', () => {
  table(quantityEntries, [
    ['Quantity', { value: 120, unit: 'mmHg', system: UCUM, code: 'mm' }, [q(120, UCUM, 'mm', 'mmHg')]],
    ['Quantity', { value: 5, comparator: '<', unit: 'mg' }, [q(5, null, null, 'mg')]],
    ['Quantity', { value: '5.0', code: 'mg', system: '' }, [q(5, null, 'mg', null)]],
    ...none('Quantity', { unit: 'mg' }, { value: null, unit: 'mg' }, { value: 'abc', unit: 'mg' }, 5),
    ['Age', { value: 42, unit: 'a', system: UCUM, code: 'a' }, [q(42, UCUM, 'a', 'a')]],
    ['Duration', { value: 3, code: 'd' }, [q(3, null, 'd', null)]],
    ['Distance', { value: 1.5, code: 'km' }, [q(1.5, null, 'km', null)]],
    ['Count', { value: 2 }, [q(2, null, null, null)]],
    ['SimpleQuantity', { value: 10, unit: 'ml' }, [q(10, null, null, 'ml')]],
    ['MoneyQuantity', { value: 10, code: 'EUR' }, [q(10, null, 'EUR', null)]],
    ['Money', { value: 10.5, currency: 'EUR' }, [q(10.5, ISO, 'EUR', null)]],
    ['Money', { value: 10.5 }, [q(10.5, null, null, null)]],
    ...none('Range', { low: { value: 1 }, high: { value: 2 } }),
    ...none('SampledData', { origin: { value: 0 }, period: 1, dimensions: 1 }),
    ...none('decimal', 5),
    [undefined, { value: 3, unit: 'mg' }, [q(3, null, null, 'mg')]],
    [undefined, { value: 3, currency: 'USD' }, [q(3, ISO, 'USD', null)]],
    ...none(undefined, { low: { value: 1 } }, null),
  ]);
});

describe('search extract: reference', () => {
  table(referenceEntries, [
    ['Reference', { reference: 'Patient/123' }, [ref('Patient', '123')]],
    ['Reference', { reference: 'Patient/123/_history/4' }, [ref('Patient', '123')]],
    ['Reference', { reference: 'Observation/a.b-C' }, [ref('Observation', 'a.b-C')]],
    ['Reference', { reference: 'Foo/123' }, [ref(null, null, 'Foo/123')]],
    ['Reference', { reference: `Patient/${'x'.repeat(65)}` }, [ref(null, null, `Patient/${'x'.repeat(65)}`)]],
    ['Reference', { reference: 'Patient/12_3' }, [ref(null, null, 'Patient/12_3')]],
    ['Reference', { reference: EXT }, [ref(null, null, EXT)]],
    ['Reference', { reference: UUID }, [ref(null, null, UUID)]],
    ['Reference', { reference: 'urn:oid:1.2.3' }, [ref(null, null, 'urn:oid:1.2.3')]],
    ...none('Reference', { reference: '#p1' }, { reference: '' }, { reference: 5 }),
    ...none('Reference', { display: 'Dr. Jansen' }, 'Patient/1'),
    ['Reference', { identifier: { system: UZI, value: '1' }, type: 'Device' }, [ident('Device', UZI, '1')]],
    ['Reference', { identifier: { value: '9' }, type: `${SD}Patient` }, [ident('Patient', null, '9')]],
    ['Reference', { identifier: { system: 's' }, type: 'Bogus' }, [ident(null, 's', null)]],
    [
      'Reference',
      // Without Reference.type, the literal reference types the identifier too.
      { reference: 'Group/1', identifier: { value: 'v' } },
      [ref('Group', '1'), ident('Group', null, 'v')],
    ],
    ['canonical', 'http://x.org/ValueSet/vs|1.0', [canon('http://x.org/ValueSet/vs', '1.0')]],
    ['canonical', 'http://x.org/ValueSet/vs', [canon('http://x.org/ValueSet/vs')]],
    ['canonical', 'http://x.org/ValueSet/vs|', [canon('http://x.org/ValueSet/vs')]],
    ['uri', 'urn:oid:1.2', [canon('urn:oid:1.2')]],
    ['url', 'https://x.org/a', [canon('https://x.org/a')]],
    ...none('canonical', '', '|1.0'),
    ['string', 'Patient/7', [ref('Patient', '7')]],
    ...none('Coding', { code: 'x' }),
    [undefined, { reference: 'Encounter/e1' }, [ref('Encounter', 'e1')]],
    [undefined, 'Patient/1', [ref('Patient', '1')]],
    [undefined, 'http://x|2', [canon('http://x', '2')]],
    ...none(undefined, '#c', null),
  ]);
});

describe('search extract: uri', () => {
  table(uriEntries, [
    ['uri', 'http://x.org/a', [{ uri: 'http://x.org/a' }]],
    ['url', 'https://x.org', [{ uri: 'https://x.org' }]],
    ['canonical', 'http://x.org/sd|1.0', [{ uri: 'http://x.org/sd|1.0' }]],
    ['oid', 'urn:oid:1.2.3', [{ uri: 'urn:oid:1.2.3' }]],
    ['uuid', UUID, [{ uri: UUID }]],
    ['string', 'abc', [{ uri: 'abc' }]],
    ...none('uri', '', 5),
    ...none('code', 'final'),
    ...none('Coding', { system: 'http://x' }),
    [undefined, 'urn:x', [{ uri: 'urn:x' }]],
    ...none(undefined, null),
  ]);
});

describe('search extract: nodes as fhirpath.js reports them', () => {
  const observation = {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '8480-6' }] },
    subject: { reference: 'Patient/p1' },
    effectivePeriod: { start: '2020-01-01' },
    valueQuantity: { value: 120.5, unit: 'mmHg' },
    extension: [{ url: 'http://x', valueCoding: { system: 's', code: 'c' } }],
  };
  type FpNode = { fhirNodeDataType?: string; data?: unknown };
  /** As the indexer turns a fhirpath.js result into an ElementNode. */
  const nodes = (expression: string): ElementNode[] =>
    fhirpath
      .evaluate(observation, expression, {}, r4, { resolveInternalTypes: false })
      .map((n: FpNode) => ({ type: n.fhirNodeDataType, value: n.data }));

  it('reads each type fhirpath.js names', () => {
    expect(nodes('Observation.status').flatMap(tokenEntries)).to.deep.equal([tok(null, 'final')]);
    expect(nodes('Observation.code').flatMap(tokenEntries)).to.deep.equal([tok(LOINC, '8480-6')]);
    expect(nodes('Observation.subject').flatMap(referenceEntries)).to.deep.equal([ref('Patient', 'p1')]);
    const effective = nodes('Observation.effective').flatMap(dateEntries);
    expect(effective).to.deep.equal([{ lo: days('2020-01-01').lo, hi: MAX }]);
    expect(nodes('Observation.value').flatMap(quantityEntries)).to.deep.equal([q(120.5, null, null, 'mmHg')]);
    expect(nodes('Observation.value.value').flatMap(numberEntries)).to.deep.equal([{ value: 120.5 }]);
    expect(nodes('Observation.extension.value').flatMap(tokenEntries)).to.deep.equal([tok('s', 'c')]);
  });
});
