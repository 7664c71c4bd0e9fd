import { refuse, type Language } from './language.ts';

type Parameter = { name?: string; [value: `value${string}`]: unknown; part?: Parameter[] };

/** A `Parameters` body read by name, refusing anything else with a message a person can act on. */
export interface ParametersIn {
  string(name: string): string | undefined;
  strings(name: string): string[];
  boolean(name: string): boolean | undefined;
  date(name: string): string | undefined;
  /** A `valueDate` or a `valueDateTime`, as given. */
  dateOrDateTime(name: string): string | undefined;
  /** How often a parameter is given. */
  count(name: string): number;
  /** A `valueReference`'s reference (`Type/id`). */
  reference(name: string): string | undefined;
}

export function readParameters(body: unknown, language: Language, operation: string): ParametersIn {
  const p = body as { resourceType?: unknown; parameter?: unknown } | undefined;
  if (body !== undefined && (p?.resourceType !== 'Parameters' || !Array.isArray(p.parameter ?? []))) {
    refuse(language, 400, 'invalid', {
      en: `${operation} takes a Parameters resource`,
      nl: `${operation} verwacht een Parameters-resource`,
    });
  }
  const list = ((p?.parameter as Parameter[] | undefined) ?? []).filter((x) => x && typeof x === 'object');
  const values = (name: string) => list.filter((x) => x.name === name);
  const text = (x: Parameter) => {
    const v = x.valueString ?? x.valueCode ?? x.valueId ?? x.valueIdentifier;
    const value = typeof v === 'object' && v !== null ? (v as { value?: unknown }).value : v;
    return typeof value === 'string' && value.trim() ? value.trim() : undefined;
  };
  return {
    string: (name) =>
      values(name)
        .map(text)
        .find((v) => v !== undefined),
    strings: (name) => values(name).flatMap((x) => text(x) ?? []),
    count: (name) => values(name).length,
    boolean: (name) => {
      const v = values(name)[0]?.valueBoolean;
      return typeof v === 'boolean' ? v : undefined;
    },
    reference: (name) => {
      const v = (values(name)[0]?.valueReference as { reference?: unknown } | undefined)?.reference;
      return typeof v === 'string' && v.trim() ? v.trim() : undefined;
    },
    date: (name) => {
      const v = values(name)[0]?.valueDate;
      return typeof v === 'string' ? v : undefined;
    },
    dateOrDateTime: (name) => {
      const v = values(name)[0]?.valueDate ?? values(name)[0]?.valueDateTime;
      return typeof v === 'string' ? v : undefined;
    },
  };
}
