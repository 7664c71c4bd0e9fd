/**
 * The benchmark's data: 100 Synthea patients as transaction Bundles (bench/data), each Patient
 * given a test BSN so the Dutch identifier search has something to find, and the facts about
 * each patient that the search workloads ask for.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

// Only the fields the benchmark reads.
interface Resource {
  resourceType: string;
  id?: string;
}
export interface Bundle extends Resource {
  entry?: { fullUrl?: string; resource?: Resource }[];
}
interface Patient extends Resource {
  identifier?: { system?: string; value?: string }[];
  name?: { family?: string }[];
  birthDate?: string;
}
interface Observation extends Resource {
  code: { coding?: { system?: string; code?: string }[] };
}
interface Encounter extends Resource {
  period?: { start?: string };
}

export const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';

/** Test BSNs in order: `9999` + four digits + the check digit that makes the 11-proef hold. */
export function* testBsns(): Generator<string> {
  for (let k = 0; k < 10000; k++) {
    const head = `9999${String(k).padStart(4, '0')}`;
    const sum = [...head].reduce((s, d, i) => s + Number(d) * (9 - i), 0);
    if (sum % 11 < 10) yield head + String(sum % 11);
  }
}

/** A seeded PRNG (mulberry32), so every run asks for the same things in the same order. */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function loadBundles(limit: number): Bundle[] {
  const text = gunzipSync(readFileSync(new URL('../data/load-100.ndjson.gz', import.meta.url))).toString(
    'utf8',
  );
  const bundles = text
    .split('\n')
    .filter(Boolean)
    .slice(0, limit)
    .map((line) => JSON.parse(line) as Bundle);
  const bsns = testBsns();
  for (const b of bundles) {
    const patient = b.entry!.find((e) => e.resource!.resourceType === 'Patient')!.resource as Patient;
    patient.identifier = [...(patient.identifier ?? []), { system: BSN_SYSTEM, value: bsns.next().value! }];
  }
  return bundles;
}

export interface PatientFacts {
  id: string;
  bsn: string;
  family: string;
  birthDate: string;
  /** `system|code` of the patient's most frequent Observation code. */
  observationCode: string;
  /** The median start date of the patient's encounters (about half of them are on or after it). */
  encounterDate: string;
  conditions: number;
  /** Resources that refer to the patient (about their compartment). */
  compartmentSize: number;
}

/** What each patient has, given the ids the server assigned to the Bundle's entries. */
export function patientFacts(bundle: Bundle, ids: string[]): PatientFacts {
  const resources = bundle.entry!.map((e) => e.resource as Resource);
  const index = resources.findIndex((r) => r.resourceType === 'Patient');
  const patient = resources[index] as Patient;
  const of = <T extends Resource>(type: string) => resources.filter((r) => r.resourceType === type) as T[];
  const codes = new Map<string, number>();
  for (const o of of<Observation>('Observation')) {
    const c = o.code.coding?.[0];
    if (c?.system && c.code)
      codes.set(`${c.system}|${c.code}`, (codes.get(`${c.system}|${c.code}`) ?? 0) + 1);
  }
  const dates = of<Encounter>('Encounter')
    .map((e) => e.period?.start?.slice(0, 10))
    .filter((d): d is string => !!d)
    .sort();
  const reference = `"reference":"${bundle.entry![index]!.fullUrl!}"`;
  return {
    id: ids[index]!,
    bsn: patient.identifier!.find((i) => i.system === BSN_SYSTEM)!.value!,
    family: patient.name![0]!.family!,
    birthDate: patient.birthDate!,
    observationCode: [...codes].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '',
    encounterDate: dates[Math.floor(dates.length / 2)] ?? '1900-01-01',
    conditions: of<Resource>('Condition').length,
    compartmentSize: resources.filter((r) => JSON.stringify(r).includes(reference)).length,
  };
}
