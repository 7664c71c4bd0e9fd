import type { Language } from '../language.ts';
import { refuse } from '../language.ts';

type Json = Record<string, unknown>;
type Coding = { system?: string; code?: string; display?: string };

/** One answer value as FHIR has it: `{ valueBoolean: true }`, `{ valueCoding: {…} }`, … */
export type AnswerValue = Record<`value${string}`, unknown>;

/** The value[x] an item type takes (R4 Questionnaire.item.type). */
const VALUE_OF: Record<string, string[]> = {
  boolean: ['valueBoolean'],
  string: ['valueString'],
  text: ['valueString'],
  integer: ['valueInteger'],
  decimal: ['valueDecimal'],
  date: ['valueDate'],
  dateTime: ['valueDateTime'],
  time: ['valueTime'],
  url: ['valueUri'],
  choice: ['valueCoding', 'valueString'],
  'open-choice': ['valueCoding', 'valueString'],
  attachment: ['valueAttachment'],
  quantity: ['valueQuantity'],
  reference: ['valueReference'],
};

const valueKeys = (v: AnswerValue) => Object.keys(v).filter((k) => k.startsWith('value'));

/**
 * The referrer's answers by linkId, from a QuestionnaireResponse (`answers`: its items, nested
 * groups too) or from `answer` parameters (parts `linkId` and one or more `value`).
 */
export function answersFrom(response: Json | undefined, parts: Json[][]): Map<string, AnswerValue[]> {
  const out = new Map<string, AnswerValue[]>();
  const add = (linkId: string, values: AnswerValue[]) =>
    out.set(linkId, [...(out.get(linkId) ?? []), ...values]);
  const walk = (items: Json[]) => {
    for (const item of items) {
      const answers = (item.answer ?? []) as Json[];
      if (typeof item.linkId === 'string' && answers.length) {
        add(
          item.linkId,
          answers.map((a) => Object.fromEntries(Object.entries(a).filter(([k]) => k.startsWith('value')))),
        );
      }
      walk([...((item.item ?? []) as Json[]), ...answers.flatMap((a) => (a.item ?? []) as Json[])]);
    }
  };
  walk((response?.item ?? []) as Json[]);
  for (const part of parts) {
    const linkId = part.find((p) => p.name === 'linkId');
    const id = (linkId?.valueString ?? linkId?.valueCode) as string | undefined;
    const values = part
      .filter((p) => p.name === 'value')
      .map((p) => Object.fromEntries(Object.entries(p).filter(([k]) => k.startsWith('value'))));
    if (id) add(id, values);
  }
  return out;
}

/**
 * The answers checked against the offering's Questionnaire, as the items of the
 * QuestionnaireResponse to store: every required question answered (an item with `enableWhen`
 * is asked only sometimes, so it is not demanded), each answer of the item's type, a choice one
 * of its options (open-choice: or free text), no repeats where the item does not repeat, no
 * answers to questions the form does not ask. 400 naming the question (text and linkId).
 */
export function checkAnswers(
  language: Language,
  questionnaire: Json | undefined,
  answers: Map<string, AnswerValue[]>,
): Json[] {
  const seen = new Set<string>();
  const missing: string[] = [];
  const name = (item: Json) =>
    `'${(item.text as string | undefined) ?? item.linkId}' (linkId ${item.linkId as string})`;

  const check = (item: Json, values: AnswerValue[]) => {
    const type = item.type as string;
    const allowed = VALUE_OF[type] ?? [];
    if (values.length > 1 && item.repeats !== true) {
      refuse(language, 400, 'invalid', {
        en: `Question ${name(item)} takes one answer; ${values.length} were given`,
        nl: `Vraag ${name(item)} heeft één antwoord; er zijn er ${values.length} gegeven`,
      });
    }
    for (const v of values) {
      const keys = valueKeys(v);
      const key = keys[0];
      if (
        keys.length !== 1 ||
        !key ||
        !allowed.includes(key) ||
        !wellTyped(key, v[key as `value${string}`])
      ) {
        refuse(language, 400, 'invalid', {
          en: `Question ${name(item)} is answered with ${allowed.join(' or ') || 'nothing'} (type ${type}); the answer given is not`,
          nl: `Vraag ${name(item)} wordt beantwoord met ${allowed.join(' of ') || 'niets'} (type ${type}); het gegeven antwoord is dat niet`,
        });
      }
      const options = (item.answerOption ?? []) as Json[];
      if ((type === 'choice' || type === 'open-choice') && options.length) {
        const inOptions =
          key === 'valueCoding'
            ? options.some((o) => sameCoding(o.valueCoding as Coding | undefined, v.valueCoding as Coding))
            : options.some((o) => o.valueString === v.valueString) || type === 'open-choice';
        if (!inOptions) {
          const list = options
            .map(
              (o) =>
                (o.valueCoding as Coding | undefined)?.code ?? (o.valueString as string | undefined) ?? '',
            )
            .join(', ');
          refuse(language, 400, 'invalid', {
            en: `Question ${name(item)}: the answer is not one of its options (${list})`,
            nl: `Vraag ${name(item)}: het antwoord is geen van de keuzes (${list})`,
          });
        }
      }
    }
  };

  const build = (items: Json[]): Json[] =>
    items.flatMap((item): Json[] => {
      const linkId = item.linkId as string;
      if (item.type === 'display') return [];
      if (item.type === 'group') {
        const children = build((item.item ?? []) as Json[]);
        return children.length ? [{ linkId, ...(item.text ? { text: item.text } : {}), item: children }] : [];
      }
      seen.add(linkId);
      const values = answers.get(linkId) ?? [];
      if (!values.length) {
        if (item.required === true && !item.enableWhen) missing.push(name(item));
        return [];
      }
      check(item, values);
      return [{ linkId, ...(item.text ? { text: item.text } : {}), answer: values }];
    });

  const items = build((questionnaire?.item ?? []) as Json[]);
  if (missing.length) {
    refuse(language, 400, 'required', {
      en: `The offering's questions need an answer: ${missing.join(', ')}`,
      nl: `De vragen van het zorgaanbod vragen een antwoord: ${missing.join(', ')}`,
    });
  }
  const unknown = [...answers.keys()].filter((id) => !seen.has(id));
  if (unknown.length) {
    refuse(language, 400, 'invalid', {
      en: `The offering asks no question with linkId ${unknown.join(', ')}`,
      nl: `Het zorgaanbod stelt geen vraag met linkId ${unknown.join(', ')}`,
    });
  }
  return items;
}

const sameCoding = (a: Coding | undefined, b: Coding | undefined) =>
  !!a && !!b && a.code === b.code && (a.system ?? '') === (b.system ?? a.system ?? '');

function wellTyped(key: string, value: unknown): boolean {
  switch (key) {
    case 'valueBoolean':
      return typeof value === 'boolean';
    case 'valueInteger':
      return Number.isInteger(value);
    case 'valueDecimal':
      return typeof value === 'number' && Number.isFinite(value);
    case 'valueDate':
      return typeof value === 'string' && /^\d{4}(-\d{2}(-\d{2})?)?$/.test(value);
    case 'valueDateTime':
      return (
        typeof value === 'string' && /^\d{4}(-\d{2}(-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?)?)?$/.test(value)
      );
    case 'valueString':
    case 'valueUri':
    case 'valueTime':
      return typeof value === 'string' && value.trim() !== '';
    case 'valueCoding':
      return typeof value === 'object' && value !== null && typeof (value as Coding).code === 'string';
    default:
      return typeof value === 'object' && value !== null;
  }
}

/** An answer as a person reads it (the letter). */
export function answerText(v: AnswerValue): string {
  if (typeof v.valueBoolean === 'boolean') return v.valueBoolean ? 'ja' : 'nee';
  const coding = v.valueCoding as Coding | undefined;
  if (coding) return coding.display ?? coding.code ?? '';
  const first = valueKeys(v)[0];
  const value = first ? v[first as `value${string}`] : undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value ?? '');
}
