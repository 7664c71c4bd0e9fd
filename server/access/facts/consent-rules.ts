import type { AccessFact } from '../../fhir/search/types.ts';
import {
  asArray,
  asObject,
  codings,
  literalReference,
  patientId,
  periodRange,
  type Json,
} from './fhir-values.ts';

export const CONSENT_SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';
export const DATA_CATEGORY_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/data-category';
const RESOURCE_TYPES = 'http://hl7.org/fhir/resource-types';

/**
 * The rules of an active `patient-privacy` Consent, one fact per actor × data category of each
 * provision (a nested provision inherits what it leaves out from its parent). A Consent recorded
 * by an organisation (`Consent.organization`, its custodian: "toestemming bij het betreffende
 * ziekenhuis") is about the data that organisation holds: each of its categories is narrowed to
 * `held:<organisation id>` (`held:<id>&<category>` with a category). Actors: a literal
 * reference (`Practitioner/1`), or a role or organisation type named by identifier
 * (`code:<system>|<value>`). Categories: a code of our data-category CodeSystem, a resource type
 * from `provision.class` (`type:Observation`), a security label (`label:<system>|<code>`).
 */
export function consentFacts(resource: Json & { resourceType: string }): AccessFact[] {
  if (resource.resourceType !== 'Consent' || resource.status !== 'active') return [];
  if (!codings(resource.scope).some((c) => c.system === CONSENT_SCOPE && c.code === 'patient-privacy'))
    return [];
  const patient = patientId(resource.patient);
  if (!patient) return [];
  const holders = asArray(resource.organization).map((o) => {
    const ref = literalReference(o);
    return ref?.startsWith('Organization/') ? ref.slice('Organization/'.length) : UNREADABLE_HOLDER;
  });
  const held = (category: string | undefined): (string | undefined)[] =>
    holders.length === 0
      ? [category]
      : holders.map((h) => (category === undefined ? `${HELD}${h}` : `${HELD}${h}&${category}`));
  const facts: AccessFact[] = [];
  const walk = (
    value: unknown,
    inherited: {
      actors: (string | undefined)[];
      categories: (string | undefined)[];
      range: { lo?: number; hi?: number };
    },
  ) => {
    const p = asObject(value);
    if (!p) return;
    const decision = p.type === 'deny' || p.type === 'permit' ? p.type : undefined;
    const named = asArray(p.actor).map((a) => actorOf(asObject(a)?.reference));
    const actors = named.length ? named : inherited.actors;
    const given = categoriesOf(p);
    const categories = given.length ? given : inherited.categories;
    const own = periodRange(p.period);
    const range = { ...inherited.range, ...own };
    if (decision) {
      for (const actor of actors) {
        for (const category of categories.flatMap(held)) {
          facts.push({
            kind: 'consent',
            patientId: patient,
            decision,
            // An actor the server cannot read: a deny about it holds for everyone, ranked as a
            // rule naming them (so no permit naming the caller beats it), a permit for no one
            // (also when a nested provision inherits it).
            ...(actor === UNREADABLE
              ? decision === 'deny'
                ? { actor: EVERY_ACTOR }
                : { actor }
              : actor !== undefined
                ? { actor }
                : {}),
            ...(category !== undefined ? { category } : {}),
            ...range,
          });
        }
      }
    }
    for (const nested of asArray(p.provision)) walk(nested, { actors, categories, range });
  };
  walk(resource.provision, { actors: [undefined], categories: [undefined], range: {} });
  return facts;
}

const UNREADABLE = 'unreadable:actor';
/** The prefix of a category narrowed to the data one organisation holds (data-categories.ts). */
export const HELD = 'held:';
/** An organisation named other than by a local reference: a rule about its data fails closed. */
const UNREADABLE_HOLDER = '?';
/** A rule's actor that is every caller, as specific as naming them (access_decide_since). */
const EVERY_ACTOR = '*';

/** An actor as the access facts name it, or UNREADABLE (see where the rule is made). */
function actorOf(reference: unknown): string {
  const literal = literalReference(reference);
  if (literal) return literal;
  const identifier = asObject(asObject(reference)?.identifier);
  if (typeof identifier?.value === 'string') {
    return `code:${typeof identifier.system === 'string' ? identifier.system : ''}|${identifier.value}`;
  }
  return UNREADABLE;
}

function categoriesOf(p: Json): string[] {
  return [
    ...codings(p.code).map((c) =>
      c.system === DATA_CATEGORY_SYSTEM ? c.code : `code:${c.system}|${c.code}`,
    ),
    ...codings(p.class).map((c) =>
      c.system === RESOURCE_TYPES ? `type:${c.code}` : `class:${c.system}|${c.code}`,
    ),
    ...codings(p.securityLabel).map((c) => `label:${c.system}|${c.code}`),
  ];
}
