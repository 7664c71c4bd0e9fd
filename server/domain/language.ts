import { FhirError } from '../fhir/errors.ts';
import type { OperationOutcomeIssue } from '../fhir/outcome.ts';

/** What a person reads: each message in Dutch and English. */
export interface Said {
  nl: string;
  en: string;
}

/**
 * The language a caller asked for with Accept-Language (`nl` or `en`, by their q-values); none
 * asked, or neither accepted: both, English first, as the server's other messages are.
 */
export type Language = 'nl' | 'en' | undefined;

export function preferredLanguage(acceptLanguage: string | undefined): Language {
  if (!acceptLanguage) return undefined;
  let best: { lang: Language; q: number } = { lang: undefined, q: 0 };
  for (const part of acceptLanguage.split(',')) {
    const [tag = '', ...params] = part.trim().split(';');
    const primary = tag.trim().toLowerCase().split('-')[0];
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!(q > 0) || (primary !== 'nl' && primary !== 'en')) continue;
    if (q > best.q) best = { lang: primary, q };
  }
  return best.lang;
}

export function say(language: Language, text: Said): string {
  return language === 'nl' ? text.nl : language === 'en' ? text.en : `${text.en} / ${text.nl}`;
}

/** Refuses with an OperationOutcome a person can act on, in their language. */
export function refuse(
  language: Language,
  status: number,
  code: OperationOutcomeIssue['code'],
  text: Said,
): never {
  throw new FhirError(status, say(language, text), { code });
}
