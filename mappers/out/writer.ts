import { hl7Escape } from '../hl7/ack.ts';

/**
 * A value in a field: text, or components (each text or subcomponents). A field may repeat
 * (`repeat(...)`). Text is escaped here, once, so a writer never builds delimiters by hand.
 */
export type Component = string | undefined | (string | undefined)[];
export type FieldValue = string | undefined | Component[];
export type Field = FieldValue | { repeat: FieldValue[] };

export const repeat = (...values: FieldValue[]): Field => ({ repeat: values.filter(hasValue) });

function hasValue(v: FieldValue): boolean {
  if (v === undefined || v === '') return false;
  if (typeof v === 'string') return true;
  return v.some((c) => (Array.isArray(c) ? c.some((s) => s) : Boolean(c)));
}

const trimEnd = (text: string, delimiter: string) => {
  let end = text.length;
  while (end > 0 && text[end - 1] === delimiter) end--;
  return text.slice(0, end);
};

function component(c: Component): string {
  if (Array.isArray(c)) return trimEnd(c.map((s) => hl7Escape(s ?? '')).join('&'), '&');
  return hl7Escape(c ?? '');
}

function fieldValue(v: FieldValue): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return hl7Escape(v);
  return trimEnd(v.map(component).join('^'), '^');
}

function field(f: Field): string {
  if (f !== undefined && typeof f === 'object' && !Array.isArray(f))
    return f.repeat.map(fieldValue).join('~');
  return fieldValue(f);
}

/**
 * One segment with the standard delimiters (`|^~\&`). `fields[0]` is field 1; for MSH, field 3
 * (MSH-1 and MSH-2 are the delimiters themselves). Trailing empty fields are left off.
 */
export function segment(name: string, ...fields: Field[]): string {
  const text = fields.map(field).join('|');
  return trimEnd(name === 'MSH' ? `MSH|^~\\&|${text}` : `${name}|${text}`, '|');
}

/** Segments as one message: each ends in a carriage return, as HL7 v2 says. */
export const message = (segments: string[]): string => segments.join('\r') + '\r';
