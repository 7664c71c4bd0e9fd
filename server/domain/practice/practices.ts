import type { ResourceStore } from '../../fhir/storage/resource-store.ts';

/** Stored FHIR JSON, each field read defensively. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const idOf = (reference: unknown, type: string) =>
  new RegExp(`^${type}/([^/]+)$`).exec(String((reference as { reference?: unknown })?.reference ?? ''))?.[1];

/** A current resource by id, as the server reads it (no caller's gate). */
export async function current(store: ResourceStore, type: string, id: string): Promise<Json | undefined> {
  const v = await store.read(type, id);
  return v?.content && !v.deleted ? (JSON.parse(v.content) as Json) : undefined;
}

/**
 * The practices (Organization ids) whose patient a Patient record is: its `generalPractitioner`
 * (an Organization, or a PractitionerRole of one) and its `managingOrganization`.
 */
export async function practicesOfPatient(store: ResourceStore, patient: Json): Promise<string[]> {
  const found = new Set<string>();
  for (const gp of (patient.generalPractitioner ?? []) as unknown[]) {
    const org = idOf(gp, 'Organization');
    if (org) found.add(org);
    const roleId = idOf(gp, 'PractitionerRole');
    const role = roleId ? await current(store, 'PractitionerRole', roleId) : undefined;
    const roleOrg = idOf(role?.organization, 'Organization');
    if (roleOrg) found.add(roleOrg);
  }
  const managing = idOf(patient.managingOrganization, 'Organization');
  if (managing) found.add(managing);
  return [...found];
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
