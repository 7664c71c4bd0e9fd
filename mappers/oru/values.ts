import type { Hl7Segment } from '@medplum/core';
import { codeableConcept } from '../hl7/coded.ts';
import { hl7DateTime } from '../hl7/datetime.ts';
import { Hl7Error, type Hl7 } from '../hl7/message.ts';

type Json = Record<string, unknown>;
const UCUM = 'http://unitsofmeasure.org';

/** OBX-6 as the unit part of a Quantity: UCUM when the sender says so (`UCUM`, `ISO+`), else its text. */
export function unitOf(m: Hl7, obx: Hl7Segment): Json {
  const code = m.value(obx, 6, 1);
  const text = m.value(obx, 6, 2);
  const system = m.value(obx, 6, 3).toUpperCase();
  if (!code && !text) return {};
  return system === 'UCUM' || system === 'ISO+'
    ? { unit: text || code, system: UCUM, code }
    : { unit: text || code };
}

/**
 * The server's mark for a number's written text (server/fhir/format/json.ts), by its registered
 * name: mappers import nothing of the server. A lab value keeps its precision: `5.0` is not `5`.
 */
const DECIMAL_TEXT = Symbol.for('zorgpoort.decimal-text');

/** An HL7 NM (`+5.0`, `.5`, `007`, `5.`) in FHIR's decimal grammar, its precision kept: `5.0`, `0.5`, `7`, `5`. */
function fhirDecimal(nm: string): string {
  const [, sign, whole, fraction] = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(nm)!;
  return `${sign === '-' ? '-' : ''}${whole!.replace(/^0+(?=\d)/, '') || '0'}${fraction ? `.${fraction}` : ''}`;
}

/** `{ value, ...rest }` with the value as written (`5.0` stays `5.0`); `text` is an HL7 NM. */
function valued(text: string, rest: Json = {}): Json {
  const written = fhirDecimal(text);
  const value = Number(written);
  const out: Json & { [DECIMAL_TEXT]?: Record<string, string> } = { value, ...rest };
  if (String(value) !== written) out[DECIMAL_TEXT] = { value: written };
  return out;
}

/** A Quantity-like `{ value, ...rest }` of a decimal as written (`5.0`, `-0.010`), or an error naming OBX-5. */
export function decimal(text: string, where: { segment: string; field: number }, rest: Json = {}): Json {
  const t = text.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t))
    throw new Hl7Error(where.segment, where.field, `'${text}' is not a number`);
  return valued(t, rest);
}

/**
 * OBX-5 by its value type (OBX-2) as the Observation's `value[x]`; an ED or RP value (a document,
 * an image, a pointer to one) is no value of the Observation but a presented form of the report.
 */
export function observationValue(
  m: Hl7,
  obx: Hl7Segment,
  facility: string,
): { value?: Json; presentedForm?: Json } {
  const type = m.value(obx, 2).toUpperCase();
  const at = { segment: 'OBX', field: 5 };
  const reps = Math.max(1, m.repetitions(obx, 5));
  const first = m.value(obx, 5);
  if (!first && !m.value(obx, 5, 2) && !m.value(obx, 5, 5)) return {};
  switch (type) {
    case 'NM':
      return { value: { valueQuantity: decimal(first, at, unitOf(m, obx)) } };
    case 'ST':
    case 'TX':
    case 'FT': {
      const lines: string[] = [];
      for (let r = 1; r <= reps; r++) lines.push(m.value(obx, 5, 1, 1, r));
      return { value: { valueString: lines.join('\n') } };
    }
    case 'CE':
    case 'CWE':
    case 'CNE': {
      const concept = codeableConcept(m, obx, 5, facility);
      return concept ? { value: { valueCodeableConcept: concept } } : {};
    }
    case 'DT':
    case 'TS':
    case 'DTM':
      return { value: { valueDateTime: hl7DateTime(first, at) } };
    case 'SN':
      return { value: structuredNumeric(m, obx, at) };
    case 'ED': {
      // source application ^ type of data ^ data subtype ^ encoding ^ data
      const kind = m.value(obx, 5, 2).toLowerCase();
      const subtype = m.value(obx, 5, 3).toLowerCase();
      const encoding = m.value(obx, 5, 4).toUpperCase();
      const data = m.value(obx, 5, 5);
      if (encoding !== 'BASE64') {
        throw new Hl7Error(
          'OBX',
          5,
          `an ED value is taken in Base64 (OBX-5.4), not '${encoding || '(none)'}'`,
        );
      }
      const major = kind === 'ap' ? 'application' : kind === 'im' ? 'image' : kind || 'application';
      return {
        presentedForm: {
          contentType: `${major}/${subtype || 'octet-stream'}`,
          data: data.replace(/\s+/g, ''),
          title: m.value(obx, 3, 2) || m.value(obx, 3, 1) || undefined,
        },
      };
    }
    case 'RP':
      // pointer ^ application id ^ type of data ^ subtype
      return {
        presentedForm: {
          url: first,
          ...(m.value(obx, 5, 3)
            ? { contentType: `${m.value(obx, 5, 3).toLowerCase()}/${m.value(obx, 5, 4).toLowerCase()}` }
            : {}),
          title: m.value(obx, 3, 2) || undefined,
        },
      };
    default:
      throw new Hl7Error(
        'OBX',
        2,
        `value type '${type || '(none)'}' is not mapped (NM, ST, TX, FT, CE, CWE, DT, TS, SN, ED, RP)`,
      );
  }
}

/** SN: comparator ^ number ^ separator ^ number: `>^60`, `^3.5^-^5.0` (a range), `^1^:^128` (a ratio). */
function structuredNumeric(m: Hl7, obx: Hl7Segment, at: { segment: string; field: number }): Json {
  const comparator = m.value(obx, 5, 1);
  const n1 = m.value(obx, 5, 2);
  const separator = m.value(obx, 5, 3);
  const n2 = m.value(obx, 5, 4);
  const unit = unitOf(m, obx);
  if (separator === '-' && n2) {
    return {
      valueRange: { low: decimal(n1, at, unit), high: decimal(n2, at, unit) },
    };
  }
  if ((separator === ':' || separator === '/') && n2) {
    return { valueRatio: { numerator: decimal(n1, at), denominator: decimal(n2, at) } };
  }
  const known = ['<', '<=', '>', '>='];
  if (comparator && !known.includes(comparator) && comparator !== '=') {
    throw new Hl7Error('OBX', 5, `'${comparator}' is no comparator (<, <=, >, >=, =)`);
  }
  return {
    valueQuantity: decimal(n1, at, { ...(known.includes(comparator) ? { comparator } : {}), ...unit }),
  };
}

/** OBX-7: `3.5-5.0`, `<10`, `>60`, or free text. */
export function referenceRange(m: Hl7, obx: Hl7Segment): Json[] | undefined {
  const text = m.value(obx, 7).trim();
  if (!text) return undefined;
  const unit = unitOf(m, obx);
  const num = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)`;
  const range = new RegExp(`^(${num})\\s*-\\s*(${num})$`).exec(text);
  if (range) return [{ low: valued(range[1]!, unit), high: valued(range[2]!, unit) }];
  const below = new RegExp(`^<=?\\s*(${num})$`).exec(text);
  if (below) return [{ high: valued(below[1]!, unit), text }];
  const above = new RegExp(`^>=?\\s*(${num})$`).exec(text);
  if (above) return [{ low: valued(above[1]!, unit), text }];
  return [{ text }];
}
