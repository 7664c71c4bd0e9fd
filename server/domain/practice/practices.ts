import type { ResourceStore } from '../../fhir/storage/resource-store.ts';
import { practicesOf } from './patient-practices.ts';

/** Stored FHIR JSON, each field read defensively. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** A current resource by id, as the server reads it (no caller's gate). */
export async function current(store: ResourceStore, type: string, id: string): Promise<Json | undefined> {
  const v = await store.read(type, id);
  return v?.content && !v.deleted ? (JSON.parse(v.content) as Json) : undefined;
}

/** The practices (Organization ids) whose patient a Patient record is (patient-practices.ts). */
export function practicesOfPatient(store: ResourceStore, patient: Json): Promise<string[]> {
  return practicesOf(patient, (type, id) => current(store, type, id));
}

/** A practice's name and e-mail address (its Organization's `telecom`), for mails. */
export async function practiceContact(
  store: ResourceStore,
  practiceId: string,
): Promise<{ name: string; email?: string } | undefined> {
  const org = await current(store, 'Organization', practiceId);
  if (!org) return undefined;
  const email = ((org.telecom ?? []) as { system?: string; value?: string }[]).find(
    (t) => t.system === 'email' && t.value,
  )?.value;
  return { name: String(org.name ?? `Organization/${practiceId}`), ...(email ? { email } : {}) };
}
