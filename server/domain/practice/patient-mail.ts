import { findResources } from '../../auth/find-by-identifier.ts';
import type { SearchEngine } from '../../fhir/search/engine.ts';
import type { ResourceStore } from '../../fhir/storage/resource-store.ts';
import { emailOfPerson, isPortalAccount, type PortalPerson } from './portal-person.ts';
import { emailOf, type Json } from './portal-requests.ts';

/**
 * Where the patient hears of the portal's news (an answer waiting, a request handled, a booking):
 * the address of their active portal account (the one they log in with, confirmed or checked by
 * the practice), else the first current e-mail address of their Patient record.
 */
export async function mailAddressOf(
  store: ResourceStore,
  search: SearchEngine,
  patientId: string | undefined,
  patient: Json | undefined,
  now: Date,
): Promise<string | undefined> {
  if (patientId) {
    const accounts = (await findResources(store, search, 'Person', `patient=Patient/${patientId}`, 5)).filter(
      (p) => isPortalAccount(p) && (p as PortalPerson).active !== false,
    ) as PortalPerson[];
    for (const account of accounts) {
      const address = emailOfPerson(account);
      if (address) return address;
    }
  }
  return emailOf(patient, now);
}
