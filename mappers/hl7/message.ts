import { Hl7Message, type Hl7Segment } from '@medplum/core';

/**
 * One HL7 v2 message, read by position as the standard numbers it: field, repetition, component
 * and subcomponent all from 1 (`PID-3[2].4`). Values come back unescaped. Tokenising (the
 * delimiters of MSH-1/2, repetitions, components) is @medplum/core's `Hl7Message`; this adds what
 * a mapper needs of it: unescaping, any segment end, and errors that name the field.
 */
export class Hl7 {
  readonly segments: Hl7Segment[];
  private readonly escape: string;
  private readonly delimiters: { field: string; component: string; repetition: string; sub: string };

  private constructor(readonly message: Hl7Message) {
    this.segments = message.segments.filter((s) => s.name.trim() !== '');
    const c = message.context;
    this.escape = c.escapeCharacter;
    this.delimiters = {
      field: c.fieldSeparator,
      component: c.componentSeparator,
      repetition: c.repetitionSeparator,
      sub: c.subcomponentSeparator,
    };
  }

  /** Parses a decoded message; segments may end in CR, LF or CR LF. */
  static parse(text: string): Hl7 {
    const normalized = text.replace(/\r\n|\n/g, '\r').replace(/^[\r\s]+|[\r\s]+$/g, '');
    if (!/^MSH.{4}/s.test(normalized)) throw new Hl7Error('MSH', 0, 'A message begins with an MSH segment');
    return new Hl7(Hl7Message.parse(normalized));
  }

  /** `MSH-9.1^MSH-9.2`, e.g. `ADT^A01`. */
  get type(): string {
    return `${this.value('MSH', 9, 1)}^${this.value('MSH', 9, 2)}`;
  }
  get controlId(): string {
    return this.value('MSH', 10);
  }
  get version(): string {
    return this.value('MSH', 12);
  }
  /** MSH-3 and MSH-4: the sending application and facility (their first component). */
  get sender(): { application: string; facility: string } {
    return { application: this.value('MSH', 3), facility: this.value('MSH', 4) };
  }

  all(name: string): Hl7Segment[] {
    return this.segments.filter((s) => s.name === name);
  }
  first(name: string): Hl7Segment | undefined {
    return this.segments.find((s) => s.name === name);
  }

  /** The segment named, or an error naming it (for an AE that tells the sender what is missing). */
  required(name: string): Hl7Segment {
    const s = this.first(name);
    if (!s) throw new Hl7Error(name, 0, `segment ${name} is required for ${this.type}`);
    return s;
  }

  /**
   * One value, unescaped: field `field` of the first segment `name` (or of `segment`), its
   * component, subcomponent and repetition (all from 1). Empty when absent.
   */
  value(name: string | Hl7Segment, field: number, component = 1, sub = 1, repetition = 1): string {
    const segment = typeof name === 'string' ? this.first(name) : name;
    if (!segment) return '';
    // MSH-1 is the field separator itself, so MSH-n is at index n - 1 of medplum's fields.
    const index = segment.name === 'MSH' ? field - 1 : field;
    if (segment.name === 'MSH' && field === 1) return this.delimiters.field;
    if (segment.name === 'MSH' && field === 2) return segment.fields[1]?.toString() ?? '';
    const reps = segment.fields[index]?.components;
    const comp = reps?.[repetition - 1]?.[component - 1];
    if (comp === undefined) return '';
    const raw = comp.split(this.delimiters.sub)[sub - 1] ?? '';
    return this.unescape(raw);
  }

  /** How many repetitions field `field` of `segment` has (0 when empty). */
  repetitions(segment: Hl7Segment, field: number): number {
    const index = segment.name === 'MSH' ? field - 1 : field;
    const reps = segment.fields[index]?.components ?? [];
    return reps.filter((r) => r.some((c) => c !== '')).length === 0 ? 0 : reps.length;
  }

  /** HL7 escape sequences → text: delimiters, `\.br\` (a line break), `\Xhh..\` (bytes, as Latin-1). */
  unescape(value: string): string {
    const e = this.escape;
    if (!e || !value.includes(e)) return value;
    const d = this.delimiters;
    const pattern = new RegExp(`${escapeRe(e)}([^${escapeRe(e)}]*)${escapeRe(e)}`, 'g');
    return value.replace(pattern, (whole, code: string) => {
      switch (code) {
        case 'F':
          return d.field;
        case 'S':
          return d.component;
        case 'T':
          return d.sub;
        case 'R':
          return d.repetition;
        case 'E':
          return e;
        case '.br':
          return '\n';
        case 'H':
        case 'N':
          return ''; // highlighting on/off: no meaning in FHIR text
        default:
          if (/^X([0-9A-Fa-f]{2})+$/.test(code)) return Buffer.from(code.slice(1), 'hex').toString('latin1');
          return whole; // unknown (\Cxxyy\, \Mxxyyzz\, \Zxx\): kept as sent
      }
    });
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

/** A message that cannot be mapped, with where: an ACK AE names the segment and field (ERR-2). */
export class Hl7Error extends Error {
  /** Which occurrence of the segment (from 1), when there may be several (the third OBX). */
  sequence?: number;
  constructor(
    readonly segment: string,
    readonly field: number,
    message: string,
  ) {
    super(message);
  }
}

/** An unsupported message type, trigger or version: an ACK AR (table 0357 `code`), not an AE. */
export class UnsupportedMessageError extends Hl7Error {
  constructor(
    segment: string,
    field: number,
    message: string,
    readonly code: '200' | '201' | '203',
  ) {
    super(segment, field, message);
  }
}
