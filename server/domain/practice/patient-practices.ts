type Json = Record<string, unknown>;
type Ref = { reference?: string } | undefined;

/** A current resource by id, unfiltered (the server's own read). */
export type ReadResource = (resourceType: string, id: string) => Promise<Json | undefined>;

const idOf = (ref: Ref, type: string): string | undefined => {
  const [t, id, ...rest] = (ref?.reference ?? '').split('/');
  return t === type && id && !rest.length ? id : undefined;
};

/**
 * The practices (Organization ids) a patient is a patient of: `Patient.generalPractitioner` (an
 * Organization, or a PractitionerRole of one) and `Patient.managingOrganization`. A
 * Practitioner named alone names no practice.
 */
export async function practicesOf(patient: Json | undefined, read: ReadResource): Promise<string[]> {
  if (!patient) return [];
  const found = new Set<string>();
  for (const ref of [
    ...((patient.generalPractitioner ?? []) as Ref[]),
    patient.managingOrganization as Ref,
  ]) {
    const org = idOf(ref, 'Organization');
    if (org) found.add(org);
    const role = idOf(ref, 'PractitionerRole');
    if (!role) continue;
    const roleOrg = idOf((await read('PractitionerRole', role))?.organization as Ref, 'Organization');
    if (roleOrg) found.add(roleOrg);
  }
  return [...found];
}

/** The practices of the patient with this id. */
export async function practicesOfPatient(patientId: string, read: ReadResource): Promise<string[]> {
  return practicesOf(await read('Patient', patientId), read);
}
