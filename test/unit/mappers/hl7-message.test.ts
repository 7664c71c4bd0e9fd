import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { decodeMessage, Hl7, Hl7Error, mapMessage } from '../../../mappers/index.ts';
import { UnsupportedCharsetError } from '../../../mappers/hl7/charset.ts';
import { hl7DateTime } from '../../../mappers/hl7/datetime.ts';
import { hl7Oracle } from '../../support/hl7-oracle.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/hl7/${name}`, import.meta.url));
const ADT = fixture('adt-a01-latin1.hl7');

const oracle = hl7Oracle;

/** The same message with other delimiters (MSH-1/2 `#`, `:`, `!`, `$`, `%`) and LF segment ends. */
function withOtherDelimiters(text: string): string {
  const map: Record<string, string> = { '|': '#', '^': ':', '~': '!', '\\': '$', '&': '%' };
  return text.replace(/[|^~\\&]/g, (c) => map[c]!).replaceAll('\r', '\n');
}

describe('mappers: reading HL7 v2 (parser, escapes, character sets)', () => {
  it('reads every value of a message exactly as python3-hl7 does, unescaped', () => {
    const { text } = decodeMessage(ADT);
    const m = Hl7.parse(text);
    const expected = oracle(ADT, 'latin1');
    expect(expected.length).to.be.greaterThan(90);
    for (const [si, name, field, rep, comp, sub, value] of expected) {
      const segment = m.segments[si]!;
      expect(segment.name).to.equal(name);
      // python-hl7 turns `\.br\` into a segment separator (CR); a line break is what it means.
      expect(m.value(segment, field, comp, sub, rep), `${name}-${field}[${rep}].${comp}.${sub}`).to.equal(
        value.replaceAll('\r', '\n'),
      );
    }
  });

  it('reads the delimiters a message declares in MSH-1/2, and LF or CR LF segment ends', () => {
    const { text } = decodeMessage(ADT);
    const other = withOtherDelimiters(text);
    const a = Hl7.parse(text);
    for (const variant of [other, text.replaceAll('\r', '\r\n'), text.replaceAll('\r', '\n')]) {
      const b = Hl7.parse(variant);
      expect(b.value('PID', 5, 1, 2)).to.equal('van der');
      expect(b.value('PID', 3, 4, 1, 2)).to.equal('NLMINBIZA');
      if (variant !== other) expect(b.value('ZPI', 1)).to.equal('Opmerking: | geen & bezoek\nna 20:00');
      expect(b.segments.map((s) => s.name)).to.deep.equal(a.segments.map((s) => s.name));
    }
    expect(mapMessage(Hl7.parse(other))).to.deep.equal(mapMessage(a));
    // Escapes use the declared escape character and stand for the declared delimiters.
    const escaped = Hl7.parse('MSH#:!$%#A#B#C#D#20261207##ADT:A28#1#P#2.4\nZPI#a$F$b$S$c$E$d');
    expect(escaped.value('ZPI', 1)).to.equal('a#b:c$d');
  });

  it('decodes by MSH-18: ISO-8859-1 and UTF-8; without MSH-18 UTF-8 when valid, else ISO-8859-1', () => {
    expect(decodeMessage(ADT).text).to.contain('Renée');
    const utf8 = Buffer.from(decodeMessage(ADT).text.replace('8859/1', 'UNICODE UTF-8'), 'utf8');
    expect(decodeMessage(utf8).text).to.contain('Renée');
    const undeclared = (buf: Buffer, encoding: BufferEncoding) =>
      Buffer.from(buf.toString(encoding).replace('|8859/1', '|'), encoding);
    expect(decodeMessage(undeclared(ADT, 'latin1'))).to.include({ charset: '8859/1' });
    expect(decodeMessage(undeclared(ADT, 'latin1')).text).to.contain('Renée');
    expect(decodeMessage(undeclared(utf8, 'utf8'))).to.include({ charset: 'UNICODE UTF-8' });
    expect(() =>
      decodeMessage(Buffer.from(decodeMessage(ADT).text.replace('8859/1', 'ISO IR87'), 'latin1')),
    ).to.throw(UnsupportedCharsetError);
  });

  it('refuses what it cannot map, naming the segment and field', () => {
    const text = decodeMessage(ADT).text;
    expect(() => Hl7.parse('PID|1')).to.throw(Hl7Error);
    const noPid = text.replace(/PID\|[^\r]*\r/, '');
    expect(() => mapMessage(Hl7.parse(noPid)))
      .to.throw(Hl7Error)
      .with.property('segment', 'PID');
    const oru = text.replace('ADT^A01^ADT_A01', 'ZZZ^Z01');
    expect(() => mapMessage(Hl7.parse(oru)))
      .to.throw(/not supported/)
      .with.property('field', 9);
    const v26 = text.replace('|2.4|', '|2.6|');
    expect(() => mapMessage(Hl7.parse(v26)))
      .to.throw(/version 2.6/)
      .with.property('field', 12);
    const a99 = text.replace('ADT^A01', 'ADT^A99');
    expect(() => mapMessage(Hl7.parse(a99))).to.throw(/A99 is not mapped/);
  });

  it('reads dates and times with their precision and the Dutch offset when none is given', () => {
    const at = { segment: 'PID', field: 7 };
    expect(hl7DateTime('1980', at)).to.equal('1980');
    expect(hl7DateTime('198005', at)).to.equal('1980-05');
    expect(hl7DateTime('19800506', at)).to.equal('1980-05-06');
    expect(hl7DateTime('202612070930', at)).to.equal('2026-12-07T09:30:00+01:00');
    expect(hl7DateTime('20260701093015', at)).to.equal('2026-07-01T09:30:15+02:00');
    expect(hl7DateTime('20260701093015.25-0500', at)).to.equal('2026-07-01T09:30:15.25-05:00');
    expect(hl7DateTime('', at)).to.equal(undefined);
    // Around the summer-time changes (last Sundays of March and October 2026).
    expect(hl7DateTime('202603290130', at)).to.equal('2026-03-29T01:30:00+01:00');
    expect(hl7DateTime('202603290330', at)).to.equal('2026-03-29T03:30:00+02:00');
    expect(hl7DateTime('202610250130', at)).to.equal('2026-10-25T01:30:00+02:00');
    expect(hl7DateTime('202610250330', at)).to.equal('2026-10-25T03:30:00+01:00');
    expect(() => hl7DateTime('20240230', at)).to.throw(/not a date/);
    expect(() => hl7DateTime('202612072500', at)).to.throw(/not a time of day/);
    expect(() => hl7DateTime('07-12-2026', at))
      .to.throw(Hl7Error)
      .with.property('field', 7);
    expect(() => hl7DateTime('20261340', at)).to.throw(Hl7Error);
  });
});
