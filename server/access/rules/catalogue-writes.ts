import type { Principal } from '../../auth/principal.ts';
import { findResources } from '../../auth/find-by-identifier.ts';
import { assertOffering, offeringOf } from '../../domain/referral/catalogue-offering.ts';
import { covers, scopeOf, type FunctionScope } from '../../domain/referral/functions.ts';
import type { AdminFunction } from '../../domain/referral/vocabulary.ts';
import { FhirError } from '../../fhir/errors.ts';
import type { SearchEngine } from '../../fhir/search/engine.ts';
import type { ResourceStore } from '../../fhir/storage/resource-store.ts';
import type { AccessPolicy, CheckedWrite, Resource } from '../policy.ts';
import { custodianOf } from './treatment-relationship.ts';

/** The admin functions that manage the care catalogue (seed 003: "beheer zorgproducten (basis)"). */
export const CATALOGUE_FUNCTIONS: readonly AdminFunction[] = [
  'admin-care-products',
  'admin-basic-care-products',
];
const NEEDED = CATALOGUE_FUNCTIONS.join("' or '");
/** How many offerings one Questionnaire may be used by before the rule stops looking (and refuses). */
const MAX_USERS = 1000;

const trusted = (p: Principal) => p.kind === 'system' && (p.trusted === true || p.via === 'operator');

async function catalogueScope(principal: Principal, raw: ResourceStore): Promise<FunctionScope> {
  const read = async (type: string, id: string) => {
    const v = await raw.read(type, id);
    return v?.content && !v.deleted ? (JSON.parse(v.content) as Record<string, unknown>) : undefined;
  };
  const scope: FunctionScope = new Map();
  for (const fn of CATALOGUE_FUNCTIONS) {
    for (const [org, roles] of await scopeOf(principal, fn, read)) {
      scope.set(org, [...(scope.get(org) ?? []), ...roles]);
    }
  }
  return scope;
}

function refuse(en: string, nl: string, status = 403): never {
  throw new FhirError(status, `${en} / ${nl}`, { code: status === 409 ? 'conflict' : 'forbidden' });
}

/** The offerings whose `offering-questionnaire` names one of these urls (at most MAX_USERS + 1). */
function offeringsNaming(raw: ResourceStore, search: SearchEngine, urls: string[]): Promise<Resource[]> {
  const query = `offering-questionnaire=${urls.map((u) => encodeURIComponent(u.replace(/[\\,$|]/g, (c) => `\\${c}`))).join(',')}`;
  return findResources(raw, search, 'HealthcareService', query, MAX_USERS + 1);
}

/** The current Questionnaires with this url, any status. */
const questionnairesAt = (raw: ResourceStore, search: SearchEngine, url: string) =>
  findResources(raw, search, 'Questionnaire', `url=${encodeURIComponent(url)}`, MAX_USERS);

const heldBy = (q: Resource) => {
  const holder = custodianOf(q);
  return holder ? `Organization/${holder}` : 'no organisation';
};

const where = (o: { organization?: string; cluster?: string }) =>
  o.organization
    ? `Organization/${o.organization}${o.cluster ? `, cluster Organization/${o.cluster}` : ''}`
    : 'no organisation (providedBy)';

/**
 * Who manages the care catalogue (server/domain/referral/README.md): a HealthcareService is
 * created, changed and deleted only by a practitioner holding an active `admin-care-products`
 * or `admin-basic-care-products` function that covers its `providedBy` organisation and its
 * cluster (before and after the change), or by a trusted system or the operator. A
 * Questionnaire that offerings use (their `offering-questionnaire` names its url, before or
 * after the change) changes only by one who covers every one of those offerings and holds a
 * catalogue function at its publisher (custodian tag); one that no offering uses is a shared
 * definition like any other (a care plan's questionnaire). An offering starts naming a url only
 * if the caller covers every other offering naming it and may manage every Questionnaire under
 * it; a second active Questionnaire under a url someone else's offering names is a 409. The
 * offering's catalogue data is checked for everyone, trusted callers too.
 */
export function withCatalogueRule(
  policy: AccessPolicy,
  principal: Principal,
  search: SearchEngine,
): AccessPolicy {
  // Conformance tokens (test mode only) load fixtures as a system would.
  if (principal.kind === 'patient' && principal.writeAll) return policy;
  const checkOffering = async (write: CheckedWrite, raw: ResourceStore) => {
    if (write.after) assertOffering(write.id, write.after);
    if (trusted(principal)) return;
    const scope = await catalogueScope(principal, raw);
    for (const side of [write.before, write.after]) {
      if (!side) continue;
      const o = offeringOf(side);
      if (o.organization && covers(scope, o.organization, o.cluster)) continue;
      refuse(
        `Managing HealthcareService/${write.id} (${where(o)}) needs the active function '${NEEDED}' for that organisation and cluster`,
        `Voor het beheren van HealthcareService/${write.id} (${where(o)}) is de actieve functie '${NEEDED}' voor die organisatie en dat cluster nodig`,
      );
    }
    // Naming a questionnaire url (newly): not one of someone else's offerings, nor a
    // Questionnaire another organisation publishes, which would then be locked to its own admins.
    const url = write.after && offeringOf(write.after).questionnaire;
    if (!url || (write.before && offeringOf(write.before).questionnaire === url)) return;
    const others = (await offeringsNaming(raw, search, [url])).filter((u) => u.id !== write.id);
    const foreign = others.filter((u) => {
      const o = offeringOf(u);
      return !o.organization || !covers(scope, o.organization, o.cluster);
    });
    if (foreign.length || others.length > MAX_USERS) {
      const named = foreign
        .slice(0, 5)
        .map((u) => `HealthcareService/${String(u.id)} (${where(offeringOf(u))})`)
        .join(', ');
      refuse(
        `The questionnaire ${url} is that of ${named}: naming it in HealthcareService/${write.id} needs the active function '${NEEDED}' covering them`,
        `De vragenlijst ${url} is die van ${named}: die noemen in HealthcareService/${write.id} vraagt de actieve functie '${NEEDED}' daarvoor`,
      );
    }
    const notOurs = (await questionnairesAt(raw, search, url)).filter((q) => {
      const holder = custodianOf(q);
      return !holder || !scope.has(holder);
    });
    if (notOurs.length) {
      const named = notOurs
        .slice(0, 5)
        .map((q) => `Questionnaire/${String(q.id)} (${heldBy(q)})`)
        .join(', ');
      refuse(
        `The questionnaire ${url} is published by another organisation (${named}): an offering names only questionnaires its admins' organisation publishes ('${NEEDED}' there)`,
        `De vragenlijst ${url} is gepubliceerd door een andere organisatie (${named}): een aanbod noemt alleen vragenlijsten van de eigen organisatie ('${NEEDED}' daar)`,
      );
    }
  };
  const checkQuestionnaire = async (write: CheckedWrite, raw: ResourceStore) => {
    if (trusted(principal)) return;
    const urls = [...new Set([write.before?.url, write.after?.url].filter((u) => typeof u === 'string'))];
    if (!urls.length) return;
    const users = await offeringsNaming(raw, search, urls);
    if (!users.length) return;
    const scope = await catalogueScope(principal, raw);
    const foreign = users.filter((u: Resource) => {
      const o = offeringOf(u);
      return !o.organization || !covers(scope, o.organization, o.cluster);
    });
    const named = foreign
      .slice(0, 5)
      .map((u) => `HealthcareService/${String(u.id)} (${where(offeringOf(u))})`)
      .join(', ');
    // A second active Questionnaire under an offering's url would compete with its own.
    const url = write.after?.url;
    if (
      foreign.length &&
      typeof url === 'string' &&
      write.after?.status === 'active' &&
      write.before?.url !== url
    ) {
      const twins = (await questionnairesAt(raw, search, url)).filter(
        (q) => q.id !== write.id && q.status === 'active',
      );
      if (twins.length) {
        refuse(
          `Questionnaire/${twins[0]!.id as string} already has the url ${url}, the questionnaire of ${named}: choose another url`,
          `Questionnaire/${twins[0]!.id as string} heeft de url ${url} al, de vragenlijst van ${named}: kies een andere url`,
          409,
        );
      }
    }
    if (foreign.length || users.length > MAX_USERS) {
      refuse(
        `Questionnaire/${write.id} is the questionnaire of ${named}: changing it needs the active function '${NEEDED}' covering them`,
        `Questionnaire/${write.id} is de vragenlijst van ${named}: wijzigen vraagt de actieve functie '${NEEDED}' daarvoor`,
      );
    }
    // An offering's questionnaire is its publisher's: only that organisation's admins manage it.
    for (const side of [write.before, write.after]) {
      const holder = side && custodianOf(side);
      if (!holder || scope.has(holder)) continue;
      refuse(
        `Questionnaire/${write.id} is published by Organization/${holder} for its offerings: changing it needs the active function '${NEEDED}' there`,
        `Questionnaire/${write.id} is gepubliceerd door Organization/${holder} voor zijn aanbod: wijzigen vraagt de actieve functie '${NEEDED}' daar`,
      );
    }
  };
  return {
    ...policy,
    checkWrite: async (write, raw) => {
      await policy.checkWrite?.(write, raw);
      if (write.resourceType === 'HealthcareService') await checkOffering(write, raw);
      else if (write.resourceType === 'Questionnaire') await checkQuestionnaire(write, raw);
    },
  };
}
