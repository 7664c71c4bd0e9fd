import { randomUUID } from 'node:crypto';
import { say, type Language } from '../language.ts';

/**
 * The acknowledgement of receipt a correction request's `transaction-response` carries (MedMij
 * PatientCorrections): one more entry, after the entries the request had, whose resource is an
 * OperationOutcome with one issue of severity `information`, code `informational`, and the text
 * for the patient in `details.text`, naming the practice and where to turn in an emergency (the
 * text Nictiz's qualification configuration uses).
 */
export function acknowledgement(language: Language, practiceName: string): Record<string, unknown> {
  const text = say(language, {
    en: `Your correction request has been received; for more information, contact ${practiceName}. If the situation is life-threatening, call 112.`,
    nl: `Je wijzigingsverzoek is ontvangen, neem voor meer informatie contact op met ${practiceName}. Is de situatie levensbedreigend bel dan 112.`,
  });
  return {
    fullUrl: `urn:uuid:${randomUUID()}`,
    resource: {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'information', code: 'informational', details: { text } }],
    },
    response: { status: '200 OK' },
  };
}
