import type { Principal } from '../../auth/principal.ts';
import { findResources } from '../../auth/find-by-identifier.ts';
import { assertOffering, offeringOf } from '../../domain/referral/catalogue-offering.ts';
import { covers, scopeOf, type FunctionScope } from '../../domain/referral/functions.ts';
import type { AdminFunction } from '../../domain/referral/vocabulary.ts';
import { FhirError } from '../../fhir/errors.ts';
import type { SearchEngine } from '../../fhir/search/engine.ts';
import type { ResourceStore } from '../../fhir/storage/resource-store.ts';
import type { AccessPolicy, CheckedWrite, Resource } from '../policy.ts';

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

function refuse(en: string, nl: string): never {
  throw new FhirError(403, `${en} / ${nl}`, { code: 'forbidden' });
}

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
 * after the change) changes only by one who covers every one of those offerings; one that no
 * offering uses is a shared definition like any other (a care plan's questionnaire). The
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
  };
  const checkQuestionnaire = async (write: CheckedWrite, raw: ResourceStore) => {
    if (trusted(principal)) return;
    const urls = [...new Set([write.before?.url, write.after?.url].filter((u) => typeof u === 'string'))];
    if (!urls.length) return;
    const query = `offering-questionnaire=${urls.map((u) => encodeURIComponent(u.replace(/[\\,$|]/g, (c) => `\\${c}`))).join(',')}`;
    const users = await findResources(raw, search, 'HealthcareService', query, MAX_USERS + 1);
    if (!users.length) return;
    const scope = await catalogueScope(principal, raw);
    const foreign = users.filter((u: Resource) => {
      const o = offeringOf(u);
      return !o.organization || !covers(scope, o.organization, o.cluster);
    });
    if (!foreign.length && users.length <= MAX_USERS) return;
    const named = foreign
      .slice(0, 5)
      .map((u) => `HealthcareService/${String(u.id)} (${where(offeringOf(u))})`)
      .join(', ');
    refuse(
      `Questionnaire/${write.id} is the questionnaire of ${named}: changing it needs the active function '${NEEDED}' covering them`,
      `Questionnaire/${write.id} is de vragenlijst van ${named}: wijzigen vraagt de actieve functie '${NEEDED}' daarvoor`,
    );
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
