/**
 * FHIR JSON with decimals as written. FHIR says a decimal's precision is significant (`5.0` is not
 * `5`, `0.010` not `0.01`), but JSON.parse makes doubles of them. So the model keeps plain numbers
 * everywhere (validation, FHIRPath, the indexer, patches and comparisons see numbers), and the
 * written text of a number whose text a double would not give back travels beside it: on the object
 * or array that holds it, under a symbol, keyed by property name or index. Symbol keys are invisible
 * to JSON.stringify, Object.keys and ajv, but object spread (`{ ...resource }`) copies them.
 *
 * A text is used only while its number is still the same (`Number(text) === value`), so code that
 * changes a value without knowing of texts gets the plain number written, never a stale text.
 * Code that copies objects key by key (Object.entries) must carry the texts with `keepDecimalTexts`.
 */

// Node 24 has JSON.rawJSON (JSON.parse source text access, ES2026); TypeScript's lib does not yet.
declare global {
  interface JSON {
    rawJSON(text: string): unknown;
  }
}

/** Registered (Symbol.for) so that the HL7 mappers, which import nothing of the server, can set it. */
export const DECIMAL_TEXT = Symbol.for('zorgpoort.decimal-text');

type Texts = Record<string, string>;
type Holder = { [DECIMAL_TEXT]?: Texts };

/** A number token after `:`, `[` or `,`, before `,`, `}` or `]` (in strings too: then only a false alarm). */
const NUMBER_TOKEN = /(?:^|[:[,])\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(?=[,}\]]|$)/g;

/** Whether some number in `text` is written otherwise than a double prints it (`5.0`, `1e3`, 20 digits). */
function hasWrittenDecimals(text: string): boolean {
  NUMBER_TOKEN.lastIndex = 0;
  for (let m = NUMBER_TOKEN.exec(text); m; m = NUMBER_TOKEN.exec(text)) {
    if (String(Number(m[1])) !== m[1]) return true;
  }
  return false;
}

function recordText(this: unknown, key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && context?.source !== undefined && context.source !== String(value)) {
    const holder = this as Holder;
    (holder[DECIMAL_TEXT] ??= Object.create(null) as Texts)[key] = context.source;
  }
  return value;
}

/**
 * JSON.parse, keeping the written text of numbers. The reviver (five times slower than a plain
 * parse) runs only when a cheap scan finds a number a double would print otherwise.
 */
export function parseFhirJson(text: string): unknown {
  return hasWrittenDecimals(text) ? JSON.parse(text, recordText) : JSON.parse(text);
}

function writeText(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === 'number') {
    const text = (this as Holder)[DECIMAL_TEXT]?.[key];
    if (text !== undefined && Number(text) === value) return JSON.rawJSON(text);
  }
  return value;
}

/** JSON.stringify, writing numbers as they were written. */
export function stringifyFhirJson(value: unknown, space?: number): string {
  return JSON.stringify(value, writeText, space);
}

/** The written text of `holder[key]` while that is still its number, else undefined. */
export function decimalText(holder: unknown, key: string | number): string | undefined {
  if (typeof holder !== 'object' || holder === null) return undefined;
  const value = (holder as Record<string | number, unknown>)[key];
  const text = (holder as Holder)[DECIMAL_TEXT]?.[key];
  return typeof value === 'number' && text !== undefined && Number(text) === value ? text : undefined;
}

/**
 * Sets (or, with undefined, forgets) the written text of `holder[key]`. Copies the table first:
 * a spread copy of `holder` shares it.
 */
export function setDecimalText(holder: object, key: string | number, text: string | undefined): void {
  const h = holder as Holder;
  const current = h[DECIMAL_TEXT];
  if (text === undefined && current?.[key] === undefined) return;
  const next: Texts = Object.assign(Object.create(null) as Texts, current);
  if (text === undefined) delete next[key];
  else next[key] = text;
  h[DECIMAL_TEXT] = next;
}

/** Gives `to` the texts of `from`, for code that copies an object key by key. */
export function keepDecimalTexts<T extends object>(from: unknown, to: T): T {
  const texts = (from as Holder | null)?.[DECIMAL_TEXT];
  if (texts) (to as Holder)[DECIMAL_TEXT] = texts;
  return to;
}

/** A deep copy that keeps the texts (structuredClone drops symbol keys). */
export function cloneFhirJson<T>(value: T): T {
  return parseFhirJson(stringifyFhirJson(value)) as T;
}
