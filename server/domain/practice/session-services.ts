import type { PortalService, Principal } from '../../auth/principal.ts';
import { refuse, type Language } from '../language.ts';

/**
 * An e-mail portal account uses an online service only once this login session opened it with
 * a session code (seed 004, "Sessiecodes"); a DigiD login, a caregiver or a system never needs one.
 */
export function requireOpenService(principal: Principal, service: PortalService, language: Language): void {
  if (principal.kind !== 'patient' || !principal.portal?.needsSessionCode) return;
  if (principal.portal.openServices.includes(service)) return;
  refuse(language, 403, 'forbidden', {
    nl: `Voor deze dienst (${service}) is een sessiecode nodig: vraag er een aan met $session-code en vul die in met $open-service.`,
    en: `This service (${service}) needs a session code: request one with $session-code and enter it with $open-service.`,
  });
}
