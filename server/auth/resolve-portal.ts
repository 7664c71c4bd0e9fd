import {
  linkedPatients,
  practiceOfPerson,
  registrationOf,
  type PortalPerson,
} from '../domain/practice/portal-person.ts';
import type { SearchEngine } from '../fhir/search/engine.ts';
import type { ResourceStore } from '../fhir/storage/resource-store.ts';
import type { Resource } from '../fhir/storage/types.ts';
import type { AccountPrincipal, PatientPrincipal, PortalAccount, PortalService, Via } from './principal.ts';

const SERVICES: readonly PortalService[] = ['record', 'prescriptions', 'appointments', 'econsult'];

export interface PortalLookups {
  store: ResourceStore;
  search: SearchEngine;
  /** The server's clock (a service a session code opened is open until a time on it). */
  now: () => Date;
  /** A current resource by id. */
  read: (type: string, id: string) => Promise<Resource | undefined>;
  /** The person's other records (by BSN) of an acting Patient record. */
  otherRecords: (patient: Resource) => Promise<string[]>;
}

/**
 * A login through a portal account's password (`Person/<id>`, the account's reference): linked,
 * a patient acting in the linked record (with their other records, as a BSN login has), else an
 * account that sees nothing medical. Either way `portal` says the account, its practice, that it
 * needs session codes, the login session (`session`: the SMART grant) and the services this
 * session opened. Undefined when the reference is no active portal account.
 */
export async function portalLogin(
  personId: string,
  via: Via,
  session: string | undefined,
  l: PortalLookups,
): Promise<PatientPrincipal | AccountPrincipal | undefined> {
  const person = (await l.read('Person', personId)) as PortalPerson | undefined;
  if (!person || !registrationOf(person) || person.active === false) return undefined;
  const organizationId = practiceOfPerson(person);
  const openServices = session
    ? (await l.store.portal.openServices(`Person/${personId}`, session, l.now())).filter(
        (s): s is PortalService => (SERVICES as readonly string[]).includes(s),
      )
    : [];
  const portal: PortalAccount = {
    personId,
    ...(organizationId ? { organizationId } : {}),
    needsSessionCode: true,
    ...(session ? { sessionId: session } : {}),
    openServices,
  };
  for (const id of linkedPatients(person)) {
    const patient = await l.read('Patient', id);
    if (!patient) continue;
    const records = await l.otherRecords(patient);
    return { kind: 'patient', patientId: id, via, portal, ...(records.length ? { records } : {}) };
  }
  return { kind: 'account', personId, via, portal };
}
