import type { Hl7 } from './message.ts';

export type AckCode = 'AA' | 'AE' | 'AR';

/** What an ACK says went wrong: the segment and field (ERR), a table 0357 code, the text. */
export interface AckError {
  segment?: string;
  /** Which occurrence of the segment (from 1): the third OBX is 3. */
  sequence?: number;
  field?: number;
  /** HL7 table 0357: 100 segment sequence, 101 required field missing, 102 data type error, 200 unsupported message type, 201 unsupported event, 203 unsupported version, 207 application internal error. */
  code: string;
  text: string;
}

/** Text for an HL7 field: the delimiters escaped, line breaks as `\.br\`. */
export function hl7Escape(value: string): string {
  return value
    .replace(/\\/g, '\\E\\')
    .replace(/\|/g, '\\F\\')
    .replace(/\^/g, '\\S\\')
    .replace(/&/g, '\\T\\')
    .replace(/~/g, '\\R\\')
    .replace(/\r\n|\r|\n/g, '\\.br\\');
}

/** Now as an HL7 DTM in UTC, with its offset. */
const now = () =>
  `${new Date()
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, '')}+0000`;

let sequence = 0;
/** The ACK's own control id (MSH-10, at most 20 characters): not derived from the sender's. */
const ackId = () =>
  `ZP${Date.now().toString(36)}${(sequence++ % 1296).toString(36).padStart(2, '0')}`.toUpperCase();

/**
 * An original-mode acknowledgement (HL7 v2 chapter 2): MSH with sender and receiver swapped,
 * MSA with the code and the message's control id, and for AE/AR an ERR naming where: ERR-1 as
 * v2.3/2.4 read it, ERR-2…4 as v2.5 does. Written with the standard delimiters, in the
 * message's version and character set. `m` is undefined when the frame could not be read at all.
 */
export function buildAck(m: Hl7 | undefined, code: AckCode, controlId: string, error?: AckError): string {
  const get = (f: number, c = 1) => (m ? hl7Escape(m.value('MSH', f, c)) : '');
  const hd = (f: number) => [get(f, 1), get(f, 2), get(f, 3)].join('^').replace(/\^+$/, '');
  const version = get(12) || '2.4';
  const msh = [
    'MSH',
    '^~\\&',
    hd(5) || 'ZORGPOORT',
    hd(6) || 'ZORGPOORT',
    hd(3),
    hd(4),
    now(),
    '',
    `ACK^${get(9, 2)}^ACK`,
    ackId(),
    get(11) || 'P',
    version,
    '',
    '',
    '',
    '',
    '',
    get(18),
  ].join('|');
  // Cut before escaping: cutting after could split an escape sequence.
  const msa = ['MSA', code, hl7Escape(controlId), error ? hl7Escape(error.text.slice(0, 80)) : ''].join('|');
  const segments = [msh.replace(/\|+$/, ''), msa.replace(/\|+$/, '')];
  if (error) {
    // ERR-1 (an ELD, v2.3/2.4): segment ^ sequence ^ field ^ code&text&table; ERR-2 (an ERL, v2.5).
    const where = error.segment ? `${error.segment}^${error.sequence ?? 1}^${error.field ?? ''}` : '^^';
    const text = hl7Escape(error.text);
    segments.push(
      [
        'ERR',
        `${where}^${error.code}&${text}&HL70357`,
        error.segment ? where : '',
        `${error.code}^${hl7Escape(error.text)}^HL70357`,
        'E',
      ].join('|'),
    );
  }
  return segments.join('\r');
}
