import type { Resource } from '../../fhir/storage/types.ts';
import { LINK_ASSURANCE, PORTAL_ACCOUNT_SYSTEM, type Registration } from './vocabulary.ts';

/**
 * A portal account as a FHIR Person (seed 004, "Registreren"): `telecom` its e-mail address,
 * `managingOrganization` the practice, `link` → `Patient/<id>` (assurance level3) once linked,
 * and the server's portal-account tag saying how it was registered.
 */
export type PortalPerson = Resource & {
  active?: boolean;
  name?: { text?: string; family?: string; given?: string[] }[];
  telecom?: { system?: string; value?: string }[];
  managingOrganization?: { reference?: string };
  link?: { target?: { reference?: string }; assurance?: string }[];
  meta?: { tag?: { system?: string; code?: string }[] };
};

/** How the account was registered, when the resource is a portal account at all. */
export function registrationOf(resource: Resource | undefined): Registration | undefined {
  if (resource?.resourceType !== 'Person') return undefined;
  const code = (resource as PortalPerson).meta?.tag?.find((t) => t.system === PORTAL_ACCOUNT_SYSTEM)?.code;
  return code === 'email' || code === 'digid' ? code : undefined;
}

/** Whether a resource is a portal account (a Person with the portal-account tag, whatever its code). */
export const isPortalAccount = (resource: Resource | undefined) =>
  resource?.resourceType === 'Person' &&
  ((resource as PortalPerson).meta?.tag ?? []).some((t) => t.system === PORTAL_ACCOUNT_SYSTEM);

/** The practice (Organization id) whose portal account it is. */
export const practiceOfPerson = (person: PortalPerson) =>
  /^Organization\/([^/]+)$/.exec(person.managingOrganization?.reference ?? '')?.[1];

/** The Patient ids the account is linked to. */
export const linkedPatients = (person: PortalPerson) =>
  (person.link ?? []).flatMap((l) => {
    const id = /^Patient\/([^/]+)$/.exec(l.target?.reference ?? '')?.[1];
    return id ? [id] : [];
  });

/** The account's e-mail address, lower-cased. */
export const emailOfPerson = (person: PortalPerson) =>
  person.telecom
    ?.find((t) => t.system === 'email' && t.value)
    ?.value?.trim()
    .toLowerCase();

/** A new portal account's Person. */
export function newPortalPerson(p: {
  id: string;
  registration: Registration;
  practice: string;
  email?: string;
  name?: string;
  patients?: string[];
}): PortalPerson {
  return {
    resourceType: 'Person',
    id: p.id,
    meta: { tag: [{ system: PORTAL_ACCOUNT_SYSTEM, code: p.registration }] },
    active: true,
    ...(p.name ? { name: [{ text: p.name }] } : {}),
    ...(p.email ? { telecom: [{ system: 'email', value: p.email }] } : {}),
    managingOrganization: { reference: `Organization/${p.practice}` },
    ...(p.patients?.length
      ? {
          link: p.patients.map((id) => ({
            target: { reference: `Patient/${id}` },
            assurance: LINK_ASSURANCE,
          })),
        }
      : {}),
  };
}
