import { answerText, type AnswerValue } from './refer-answers.ts';
import type { AttachmentInput, LetterSection } from './refer-input.ts';
import type { LetterContent } from './letter-pdf.ts';

type Json = Record<string, unknown>;
type Name = { family?: string; given?: string[]; prefix?: string[]; text?: string };

/** A person's name as a letter writes it ("Anna Maria van der Berg"). */
export function nameOf(resource: Json | undefined): string {
  const names = (resource?.name ?? []) as Name[];
  const n = names.find((x) => (x as { use?: string }).use === 'official') ?? names[0];
  if (!n) return '';
  return n.text ?? [...(n.prefix ?? []), ...(n.given ?? []), n.family ?? ''].filter(Boolean).join(' ');
}

const GENDER: Record<string, string> = { male: 'man', female: 'vrouw', other: 'anders', unknown: 'onbekend' };

/** "7 december 2026", as the letter dates itself (Europe/Amsterdam). */
export const dutchDate = (iso: string) =>
  new Intl.DateTimeFormat('nl-NL', { dateStyle: 'long', timeZone: 'Europe/Amsterdam' }).format(new Date(iso));

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const div = (text: string) =>
  `<div xmlns="http://www.w3.org/1999/xhtml">${text
    .split(/\n{2,}/)
    .map((p) => `<p>${escape(p).replace(/\n/g, '<br/>')}</p>`)
    .join('')}</div>`;

/** Everything the letter says, once: for the Composition and for its PDF. */
export interface LetterFacts {
  diagnostics: boolean;
  at: string;
  patient: Json;
  referrer: { practitioner: Json; role: Json; organization: Json };
  receiver: Json;
  offering: Json;
  reasons: Json[];
  sections: LetterSection[];
  answers: { text: string; values: AnswerValue[] }[];
  attachments: AttachmentInput[];
}

const titleOf = (f: LetterFacts) => (f.diagnostics ? 'Aanvraag diagnostiek' : 'Verwijsbrief');

/** The letter as a Composition (Nictiz ELZ hg-ReferralComposition: type Referral note, a section each). */
export function composition(
  f: LetterFacts,
  ids: { composition: string; patient: string; role: string; organization: string },
  meta: Json,
): Json {
  return {
    resourceType: 'Composition',
    id: ids.composition,
    meta,
    status: 'final',
    type: { coding: [{ system: 'http://loinc.org', code: '57133-1', display: 'Referral note' }] },
    subject: { reference: `Patient/${ids.patient}`, display: nameOf(f.patient) },
    date: f.at,
    author: [{ reference: `PractitionerRole/${ids.role}`, display: nameOf(f.referrer.practitioner) }],
    title: `${titleOf(f)} ${(f.offering.name as string | undefined) ?? ''}`.trim(),
    custodian: { reference: `Organization/${ids.organization}` },
    section: f.sections.map((s) => ({
      title: s.title,
      code: {
        coding: [
          'loinc' in s
            ? { system: 'http://loinc.org', code: s.loinc, display: s.display }
            : { system: 'http://snomed.info/sct', code: s.code, display: s.display },
        ],
      },
      text: { status: 'generated', div: div(s.text) },
    })),
  };
}

/** The letter as the PDF shows it: to, from, the patient, the reason, the sections, answers, attachments. */
export function letterContent(f: LetterFacts): LetterContent {
  const p = f.patient;
  const bsn = ((p.identifier ?? []) as Json[]).find(
    (i) => i.system === 'http://fhir.nl/fhir/NamingSystem/bsn',
  )?.value;
  const address = ((p.address ?? []) as Json[])[0];
  const agb = (r: Json) =>
    ((r.identifier ?? []) as Json[]).find((i) => i.system === 'http://fhir.nl/fhir/NamingSystem/agb-z')
      ?.value as string | undefined;
  const referrerAgb = agb(f.referrer.role) ?? agb(f.referrer.practitioner);
  return {
    title: titleOf(f),
    date: `Datum: ${dutchDate(f.at)}`,
    blocks: [
      {
        heading: 'Aan',
        lines: [
          (f.receiver.name as string | undefined) ?? '',
          `Zorgaanbod: ${(f.offering.name as string | undefined) ?? ''}`,
        ].filter((l) => l.trim()),
      },
      {
        heading: 'Van',
        lines: [
          nameOf(f.referrer.practitioner) + (referrerAgb ? ` (AGB ${referrerAgb})` : ''),
          (f.referrer.organization.name as string | undefined) ?? '',
        ].filter(Boolean),
      },
      {
        heading: 'Patiënt',
        lines: [
          nameOf(p),
          `Geboren: ${p.birthDate as string}${p.gender ? `, ${GENDER[p.gender as string] ?? ''}` : ''}`,
          ...(bsn ? [`BSN: ${bsn as string}`] : []),
          ...(address
            ? [
                [((address.line ?? []) as string[]).join(' '), address.postalCode, address.city]
                  .filter(Boolean)
                  .join(', '),
              ]
            : []),
        ],
      },
      {
        heading: 'Reden (ICPC)',
        lines: f.reasons.flatMap((r) =>
          ((r.coding ?? []) as Json[]).map(
            (c) => `${c.code as string}${c.display ? ` ${c.display as string}` : ''}`,
          ),
        ),
      },
      ...f.sections.map((s) => ({ heading: s.title, lines: s.text.split('\n') })),
      {
        heading: 'Antwoorden op de vragen van het zorgaanbod',
        lines: f.answers.map((a) => `${a.text}: ${a.values.map(answerText).join(', ')}`),
      },
      { heading: 'Bijlagen', lines: f.attachments.map((a) => `${a.title} (${a.contentType})`) },
    ],
  };
}
