import { readFileSync } from 'node:fs';
import { CARE_QUESTION_SYSTEM, ICPC_SYSTEM } from './vocabulary.ts';

/**
 * The care catalogue's code systems (profiles/terminology/, see profiles/SOURCES.md): our care
 * questions (a specialism and the questions below it) and the fragment of ICPC-1 NL the
 * catalogue uses. Read once from the files the project ships, not from the database: the
 * hierarchy must not depend on what a client stored as a CodeSystem.
 */
interface Concept {
  code: string;
  display?: string;
  concept?: Concept[];
}
export interface CodeSystem {
  resourceType: 'CodeSystem';
  id: string;
  url: string;
  concept?: Concept[];
}

const load = (name: string): CodeSystem =>
  JSON.parse(
    readFileSync(new URL(`../../../profiles/terminology/${name}.json`, import.meta.url), 'utf8'),
  ) as CodeSystem;

/** Our CodeSystems of seed 003 and the ICPC-1 NL fragment, as resources (the seed loads them). */
export const REFERRAL_CODE_SYSTEMS: readonly CodeSystem[] = [
  'care-question',
  'icpc-1-nl',
  'offering-kind',
  'organization-kind',
  'referral-function',
].map(load);

/** A code with its display and every code below it (itself included). */
interface Entry {
  display: string;
  below: string[];
}

function index(system: CodeSystem): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (concept: Concept): string[] => {
    const below = [concept.code, ...(concept.concept ?? []).flatMap(walk)];
    out.set(concept.code, { display: concept.display ?? concept.code, below });
    return below;
  };
  (system.concept ?? []).forEach(walk);
  return out;
}

const bySystem = (url: string) => index(REFERRAL_CODE_SYSTEMS.find((s) => s.url === url)!);
const CARE_QUESTIONS = bySystem(CARE_QUESTION_SYSTEM);
const ICPC = bySystem(ICPC_SYSTEM);

/** ICPC-1 NL as written: a chapter letter and two digits, optionally a Dutch subcode (`T90.02`). */
export const ICPC_CODE = /^[A-Z]\d{2}(\.\d{2})?$/;

export const isCareQuestion = (code: string) => CARE_QUESTIONS.has(code);
export const careQuestionDisplay = (code: string) => CARE_QUESTIONS.get(code)?.display;
export const icpcDisplay = (code: string) => ICPC.get(code)?.display;

/** A care question and every question below it (a specialism: all of its questions). */
export const careQuestionsBelow = (code: string): string[] => CARE_QUESTIONS.get(code)?.below ?? [];

/**
 * The ICPC codes an offering may carry to answer `code`: the code itself, its three-character
 * code (an offering for T90 takes T90.02) and the subcodes below it that we know (one for T90
 * takes a query for T90, and so does one for T90.02).
 */
export function icpcMatching(code: string): string[] {
  const base = code.slice(0, 3);
  return [...new Set([code, base, ...(ICPC.get(code)?.below ?? [])])];
}

/** Lower case without accents, as the search engine normalises strings. */
export const normalise = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/**
 * Codes whose display (or that of a code above them) contains `word`: a free-text word that
 * names a specialism ("cardiologie") finds the offerings of its questions.
 */
export function codesNamed(word: string): { careQuestions: string[]; icpc: string[] } {
  const w = normalise(word);
  const named = (codes: Map<string, Entry>) =>
    [...codes.values()].filter((e) => normalise(e.display).includes(w)).flatMap((e) => e.below);
  return { careQuestions: [...new Set(named(CARE_QUESTIONS))], icpc: [...new Set(named(ICPC))] };
}
