import type { Json } from './directory.ts';

const CUSTODIAN_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/custodian';

export const QUESTIONNAIRE_BASE = 'https://zorgpoort.nl/fhir/Questionnaire';

type Item = Json;
const yesNo = (linkId: string, text: string, required: boolean): Item => ({ linkId, text, type: 'boolean', required });
const open = (linkId: string, text: string, required: boolean): Item => ({ linkId, text, type: 'text', required });
const date = (linkId: string, text: string, required: boolean): Item => ({ linkId, text, type: 'date', required });
const choice = (linkId: string, text: string, required: boolean, options: string[], repeats = false): Item => ({
  linkId,
  text,
  type: 'choice',
  required,
  ...(repeats ? { repeats: true } : {}),
  answerOption: options.map((o) => ({ valueString: o })),
});

/**
 * The questions a referrer answers per offering (seed 003: "soort vraag: verplicht of optioneel;
 * soort antwoord: ja/nee, open vraag, meerkeuze of datum"), each a Questionnaire whose url the
 * offering's `offering-questionnaire` names.
 */
const QUESTIONNAIRES: { id: string; publisher: string; title: string; items: Item[] }[] = [
  {
    id: 'ref-vragen-pijn-op-de-borst',
    publisher: 'ref-ziekenhuis-oost',
    title: 'Vragen bij verwijzing pijn op de borst',
    items: [
      yesNo('pijn-in-rust', 'Heeft de patiënt ook pijn in rust?', true),
      choice('klachtenduur', 'Hoe lang bestaan de klachten?', true, ['Korter dan 1 week', '1 tot 4 weken', 'Langer dan 4 weken']),
      date('eerste-klachten', 'Wanneer begonnen de klachten?', false),
      open('voorgeschiedenis', 'Relevante cardiale voorgeschiedenis', false),
    ],
  },
  {
    id: 'ref-vragen-knieklachten',
    publisher: 'ref-ziekenhuis-oost',
    title: 'Vragen bij verwijzing knieklachten',
    items: [
      yesNo('rontgen', 'Is er eerder een röntgenfoto van de knie gemaakt?', true),
      choice('zijde', 'Welke knie?', true, ['Links', 'Rechts', 'Beide']),
      date('trauma-datum', 'Datum van het trauma (indien van toepassing)', false),
      open('toelichting', 'Toelichting', false),
    ],
  },
  {
    id: 'ref-vragen-bloedonderzoek',
    publisher: 'ref-diagnostiek-noord',
    title: 'Aanvraag bloedonderzoek',
    items: [
      choice('bepalingen', 'Gewenste bepalingen', true, ['Hb', 'Glucose (nuchter)', 'HbA1c', 'Ferritine', 'TSH', 'Kreatinine/eGFR'], true),
      yesNo('nuchter', 'Moet de patiënt nuchter komen?', true),
      date('afnamedatum', 'Gewenste afnamedatum', false),
      open('klinische-gegevens', 'Klinische gegevens', false),
    ],
  },
];

export const questionnaireUrl = (id: string) => `${QUESTIONNAIRE_BASE}/${id}`;

export const questionnaires = (): Json[] =>
  QUESTIONNAIRES.map((q) => ({
    resourceType: 'Questionnaire',
    id: q.id,
    // Held by the provider that publishes it, so only its catalogue admins manage it.
    meta: { tag: [{ system: CUSTODIAN_SYSTEM, code: q.publisher }] },
    url: questionnaireUrl(q.id),
    version: '1',
    name: q.id.replace(/^ref-/, '').replace(/-(.)/g, (_, c: string) => c.toUpperCase()),
    title: q.title,
    status: 'active',
    subjectType: ['Patient'],
    item: q.items,
  }));
