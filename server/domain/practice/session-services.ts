import type { AuthorizedStore } from '../../access/authorized-store.ts';
import type { PortalService, Principal } from '../../auth/principal.ts';
import type { RestContext } from '../../fhir/rest/types.ts';
import { refuse, type Language, type Said } from '../language.ts';

/**
 * The portal's operations a patient calls, each with the service whose session code it needs
 * (the staff's `$decide-repeat` and `$answer` need none). The record's seal lets these through
 * to the operation once their own service is open (server/access/portal-account.ts).
 */
export const SERVICE_OF_OPERATION: Readonly<Record<string, Exclude<PortalService, 'record'>>> = {
  '$request-repeat': 'prescriptions',
  $econsult: 'econsult',
  $book: 'appointments',
  $cancel: 'appointments',
};

/** What a login is told that uses a service its session has not opened. */
export const serviceClosed = (service: PortalService): Said => ({
  nl: `Voor deze dienst (${service}) is een sessiecode nodig: vraag er een aan met $session-code en vul die in met $open-service.`,
  en: `This service (${service}) needs a session code: request one with $session-code and enter it with $open-service.`,
});

/**
 * An e-mail portal account uses an online service only once this login session opened it with
 * a session code (seed 004, "Sessiecodes"); a DigiD login, a caregiver or a system never needs one.
 */
export function requireOpenService(principal: Principal, service: PortalService, language: Language): void {
  if (principal.kind !== 'patient' || !principal.portal?.needsSessionCode) return;
  if (principal.portal.openServices.includes(service)) return;
  refuse(language, 403, 'forbidden', serviceClosed(service));
}

/**
 * `requireOpenService`, then the caller's store for the service's own reads and writes. Until an
 * e-mail account's session opened `record`, its `ctx.store` shows nothing of the patient's record
 * (server/access/portal-account.ts: the record itself is a service); a service it did open (the
 * repeat prescriptions' medication list, say) sees the patient's own rows through this store, with
 * the patient's policy and scopes as a DigiD login has them.
 */
export function serviceStore(ctx: RestContext, service: PortalService): AuthorizedStore {
  requireOpenService(ctx.principal, service, ctx.language);
  const unsealed = ctx.store.access.unsealed;
  return unsealed ? ctx.store.withAccess(unsealed) : ctx.store;
}
