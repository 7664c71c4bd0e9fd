/**
 * What the benchmark asks, as request generators over the loaded patients. Every generator
 * walks its patients in a fixed shuffled order, so runs are repeatable and no single row
 * stays hot in a cache.
 */
import type { Request } from './load.ts';
import { BSN_SYSTEM, random, type PatientFacts } from './dataset.ts';

const q = encodeURIComponent;

/** The searches of the issue, one path per patient. */
export const SEARCHES: Record<string, (p: PatientFacts) => string> = {
  'Observation?patient&code': (p) => `/Observation?patient=${q(p.id)}&code=${q(p.observationCode)}`,
  'Patient?identifier=BSN': (p) => `/Patient?identifier=${q(`${BSN_SYSTEM}|${p.bsn}`)}`,
  'Patient?family&birthdate': (p) => `/Patient?family=${q(p.family)}&birthdate=${p.birthDate}`,
  'Encounter?patient&date=ge': (p) => `/Encounter?patient=${q(p.id)}&date=ge${p.encounterDate}`,
  'Observation?patient&_include=performer': (p) =>
    `/Observation?patient=${q(p.id)}&_include=Observation:performer`,
  'Condition?patient&_sort=-onset-date': (p) => `/Condition?patient=${q(p.id)}&_sort=-onset-date`,
};

export function cycle<T>(items: T[], seed: number): () => T {
  const rnd = random(seed);
  const order = items.map((item) => ({ item, key: rnd() })).sort((a, b) => a.key - b.key);
  let i = 0;
  return () => order[i++ % order.length]!.item;
}

export function searchRequests(kind: string, patients: PatientFacts[]): () => Request {
  const next = cycle(patients, 7);
  const path = SEARCHES[kind]!;
  return () => ({ path: path(next()) });
}

/** A new body-weight Observation for a patient: the write of the mixed load. */
export function observationFor(patient: PatientFacts, value: number): string {
  return JSON.stringify({
    resourceType: 'Observation',
    status: 'final',
    category: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' },
        ],
      },
    ],
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7', display: 'Body Weight' }] },
    subject: { reference: `Patient/${patient.id}` },
    effectiveDateTime: new Date().toISOString(),
    valueQuantity: { value, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
  });
}

/** 70% read by id, 20% one of the searches, 10% a create. */
export function mixedRequests(readPaths: string[], patients: PatientFacts[]): () => Request {
  const rnd = random(11);
  const read = cycle(readPaths, 12);
  const patient = cycle(patients, 13);
  const kinds = Object.values(SEARCHES);
  return () => {
    const r = rnd();
    if (r < 0.7) return { path: read() };
    if (r < 0.9) return { path: kinds[Math.floor(rnd() * kinds.length)]!(patient()) };
    return {
      method: 'POST',
      path: '/Observation',
      body: observationFor(patient(), 50 + Math.round(rnd() * 500) / 10),
    };
  };
}
