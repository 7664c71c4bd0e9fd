import type { PortalService, Principal } from '../auth/principal.ts';
import { say, type Said } from '../domain/language.ts';
import { serviceClosed, SERVICE_OF_OPERATION } from '../domain/practice/session-services.ts';
import { FhirError } from '../fhir/errors.ts';
import { and, FALSE, not, or, TRUE, typeIn } from '../fhir/search/conditions.ts';
import type { SearchEngine } from '../fhir/search/engine.ts';
import type { Condition } from '../fhir/search/types.ts';
import type { AccessPolicy, Resource } from './policy.ts';
import { SHARED_TYPES } from './shared-types.ts';

/** What an unlinked portal account is told when it reaches for medical data. */
export const NOT_LINKED: Said = {
  en: 'Your portal account is not linked to your medical record yet: call the practice, whose assistant checks your BSN and e-mail address and links it; you get an e-mail when that is done',
  nl: 'Uw portaalaccount is nog niet gekoppeld aan uw medisch dossier: bel de praktijk; de assistente controleert uw BSN en e-mailadres en koppelt het account. U krijgt een e-mail zodra dat gebeurd is',
};

/** What an e-mail account's login is told before its session opened the `record` service. */
export const RECORD_CLOSED: Said = {
  en: "Reading your medical record needs a session code: request one with POST [base]/$session-code (service 'record'), then enter the code from the e-mail with POST [base]/$open-service",
  nl: "Voor het inzien van uw medisch dossier is een sessiecode nodig: vraag er een aan met POST [base]/$session-code (dienst 'record') en vul de code uit de e-mail in met POST [base]/$open-service",
};

/** Why a login may see nothing medical now; `openServices`: a linked login's session's services. */
export interface Seal {
  personId: string;
  said: Said;
  openServices?: readonly PortalService[];
}

/**
 * Whether the principal may not see medical data now, and why: an unlinked portal account, or
 * an e-mail account's login whose session has not opened the `record` service (seed 004: "Omdat
 * wij uw privacy willen garanderen, werken wij met sessiecodes").
 */
export function sealedBy(principal: Principal): Seal | undefined {
  if (principal.kind === 'account') return { personId: principal.personId, said: NOT_LINKED };
  if (principal.kind !== 'patient' || !principal.portal?.needsSessionCode) return undefined;
  const { openServices, personId } = principal.portal;
  if (openServices.includes('record')) return undefined;
  return { personId, said: RECORD_CLOSED, openServices };
}

const ownPerson = (personId: string): Condition => ({
  kind: 'resource',
  column: 'id',
  where: [{ op: 'eq', column: 'id', value: personId }],
});

/**
 * An unlinked portal account's own policy: its Person and the shared types (the directory,
 * definitions), nothing else; it writes nothing (its Person changes through the portal's
 * operations only). `sealRecord` is put over it as over every sealed login.
 */
export function accountAccess(personId: string): AccessPolicy {
  const own = ownPerson(personId);
  return {
    restricted: true,
    describe: `Person/${personId} (a portal account not linked to a patient)`,
    searchCondition: (type) => (type === 'Person' ? own : SHARED_TYPES.has(type) ? TRUE : FALSE),
    anyTypeCondition: or([and([typeIn(['Person']), own]), typeIn([...SHARED_TYPES])]),
    canSee: (r) => (r.resourceType === 'Person' ? r.id === personId : SHARED_TYPES.has(r.resourceType)),
    canWrite: () => false,
    allows: () => true,
    basisOf: () => [],
  };
}

/**
 * The policy of a login that may see nothing medical (yet), over whatever it would have: every
 * type of the Patient compartment but Person is false in SQL and in the twin (so `_include`,
 * `_revinclude`, `_has`, chains, system searches and history find none of it), Person only the
 * account's own, and every interaction that names such a type is refused before anything is
 * looked up (403, saying what to do), so the refusal tells nothing of what exists. Written nothing
 * of the record either. A portal operation of a linked login is the exception: each is a service
 * of its own (seed 004: a code per service), so once the session opened that operation's service
 * it passes to the operation (judged by the policy under the seal, its scopes), which reads and
 * writes what the service needs through `unsealed` (session-services.ts, `serviceStore`); before,
 * the refusal names that service. Everything else of the record waits for `record`.
 */
export function sealRecord(
  policy: AccessPolicy,
  seal: Seal,
  search: SearchEngine,
  unsealed?: AccessPolicy,
): AccessPolicy {
  const members = search.compartmentMembers('Patient') ?? new Set<string>();
  const medical = (type: string | undefined) =>
    type !== undefined && type !== 'Person' && (type === 'Patient' || members.has(type));
  const medicalTypes = ['Patient', ...[...members].filter((t) => t !== 'Person')];
  const own = ownPerson(seal.personId);
  const refusal = new FhirError(403, say(undefined, seal.said), { code: 'forbidden' });
  /** The service a linked login's portal operation needs, and whether its session opened it. */
  const serviceOf = (interaction: string | undefined) => {
    const service = seal.openServices && interaction ? SERVICE_OF_OPERATION[interaction] : undefined;
    return service && { service, open: seal.openServices!.includes(service) };
  };
  const sealed = (letter: string | undefined, type: string | undefined, interaction?: string) =>
    letter !== undefined && medical(type) && !serviceOf(interaction)?.open;
  return {
    ...policy,
    describe: `${policy.describe} (nothing medical: ${seal.said.en.split(':')[0]})`,
    searchCondition: (type) =>
      medical(type)
        ? FALSE
        : type === 'Person'
          ? and([policy.searchCondition(type), own])
          : policy.searchCondition(type),
    anyTypeCondition: and([
      policy.anyTypeCondition,
      not(typeIn(medicalTypes)),
      or([not(typeIn(['Person'])), own]),
    ]),
    canSee: (r: Resource) =>
      !medical(r.resourceType) && (r.resourceType !== 'Person' || r.id === seal.personId) && policy.canSee(r),
    canWrite: (r, letter) =>
      !medical(r.resourceType) && r.resourceType !== 'Person' && policy.canWrite(r, letter),
    allows: (letter, type, interaction) =>
      !sealed(letter, type, interaction) && policy.allows(letter, type, interaction),
    refusal: (letter, type, interaction) => {
      if (!sealed(letter, type, interaction)) return policy.refusal?.(letter, type, interaction);
      const closed = serviceOf(interaction)?.service;
      return closed
        ? new FhirError(403, say(undefined, serviceClosed(closed)), { code: 'forbidden' })
        : refusal;
    },
    basisOf: () => [],
    ...(unsealed ? { unsealed } : {}),
  };
}
