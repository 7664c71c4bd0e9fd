import { FhirError } from '../fhir/errors.ts';
import type { OperationOutcomeIssue } from '../fhir/outcome.ts';

/** What a person reads: each message in Dutch and English. */
export interface Said {
  nl: string;
  en: string;
}

/**
 * The language a caller asked for with Accept-Language (`nl` or `en`); none asked, or neither
 * accepted: both, English first, as the server's other messages are.
 */
export type Language = 'nl' | 'en' | undefined;

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
