import { refuse, type Language } from '../language.ts';
import type { Json } from './portal-requests.ts';

/** Prescriptions (not proposals or plans) are what a patient's medication list repeats. */
const PRESCRIBED = new Set(['order', 'original-order', 'reflex-order', 'filler-order', 'instance-order']);

const ENDED: Record<string, { nl: string; en: string }> = {
  stopped: { nl: 'gestopt', en: 'stopped' },
  cancelled: { nl: 'geannuleerd', en: 'cancelled' },
  'entered-in-error': { nl: 'als vergissing ingevoerd', en: 'entered in error' },
  'on-hold': { nl: 'tijdelijk gestopt', en: 'on hold' },
  draft: { nl: 'nog niet voorgeschreven (concept)', en: 'not prescribed yet (a draft)' },
  unknown: { nl: 'van onbekende status', en: 'of unknown status' },
};

/**
 * A prescription the practice can repeat: prescribed (an order), active or completed (used up).
 * Stopped, cancelled, on hold or in error: the patient calls the practice instead, since a
 * repeat of a medication their doctor stopped is the doctor's question, not a form's.
 */
export function assertRepeatable(language: Language, request: Json, status = 422): void {
  const name = `MedicationRequest/${request.id as string}`;
  if (!PRESCRIBED.has(request.intent as string)) {
    refuse(language, status, 'business-rule', {
      en: `${name} is a ${request.intent as string}, not a prescription: only a prescribed medication is repeated. Ask your practice.`,
      nl: `${name} is een ${request.intent as string}, geen recept: alleen voorgeschreven medicatie wordt herhaald. Vraag het uw praktijk.`,
    });
  }
  const ended = ENDED[request.status as string];
  if (ended || !['active', 'completed'].includes(request.status as string)) {
    const word = ended ?? { nl: request.status as string, en: request.status as string };
    refuse(language, status, 'business-rule', {
      en: `${name} is ${word.en}: it cannot be repeated online. Call your practice if you still need it.`,
      nl: `${name} is ${word.nl}: die kan niet online worden herhaald. Bel uw praktijk als u het nog nodig heeft.`,
    });
  }
}

/** What a prescription's medication is, as comparable keys (codes, a Medication reference, the text). */
function medicationKeys(request: Json): Set<string> {
  const keys = new Set<string>();
  const ref = (request.medicationReference as Json | undefined)?.reference;
  if (typeof ref === 'string') keys.add(`ref:${ref}`);
  const concept = request.medicationCodeableConcept as Json | undefined;
  for (const c of (concept?.coding ?? []) as Json[]) {
    if (c.code) keys.add(`code:${(c.system as string | undefined) ?? ''}|${c.code as string}`);
  }
  if (!keys.size && typeof concept?.text === 'string') keys.add(`text:${concept.text.trim().toLowerCase()}`);
  return keys;
}

/** Two prescriptions of the same medication (one shared code, the same Medication, or the same text). */
export function sameMedication(a: Json, b: Json): boolean {
  if (a.id === b.id) return true;
  const keys = medicationKeys(b);
  return [...medicationKeys(a)].some((k) => keys.has(k));
}
