import { FhirError } from '../errors.ts';
import { isResourceType } from '../model/type-info.ts';
import { TRUE } from '../search/conditions.ts';
import type { SearchEngine } from '../search/engine.ts';
import type { Condition } from '../search/types.ts';
import type { Resource } from '../storage/types.ts';
import { checkEndpointHost, checkEndpointSyntax, EndpointRefused, type Said } from './endpoint.ts';

type Json = Record<string, unknown>;

/** The one payload a notification carries besides none (an id-only ping). */
export const FHIR_JSON = 'application/fhir+json';
/** Never a subject of notifications: the access log, and subscriptions themselves. */
const UNSUBSCRIBABLE = new Set(['AuditEvent', 'Subscription']);

const invalid = (said: Said): never => {
  throw new FhirError(400, `${said.en} / ${said.nl}`, { code: 'invalid' });
};

/** `Task?owner=Organization/x` (or a bare `Task`): the type and the query. */
export function splitCriteria(criteria: string): { resourceType: string; query: string } {
  const at = criteria.indexOf('?');
  return at < 0
    ? { resourceType: criteria, query: '' }
    : { resourceType: criteria.slice(0, at), query: criteria.slice(at + 1) };
}

/**
 * A Subscription's criteria as a search condition of its type, strictly: an unknown parameter,
 * modifier or value is a 400 naming it (what search would refuse), not a subscription that
 * silently matches more than was asked.
 */
export function compileCriteria(
  search: SearchEngine,
  criteria: unknown,
): { resourceType: string; condition: Condition } {
  if (typeof criteria !== 'string' || !criteria.trim()) {
    invalid({
      en: "criteria is required: a search such as 'Task?owner=Organization/1'",
      nl: "criteria is verplicht: een zoekvraag zoals 'Task?owner=Organization/1'",
    });
  }
  const { resourceType, query } = splitCriteria((criteria as string).trim());
  if (!isResourceType(resourceType) || UNSUBSCRIBABLE.has(resourceType)) {
    invalid({
      en: `criteria must start with a resource type that can be subscribed to, not '${resourceType}'`,
      nl: `criteria moet beginnen met een resourcetype waarop een abonnement kan, niet '${resourceType}'`,
    });
  }
  if (!query) return { resourceType, condition: TRUE };
  try {
    return { resourceType, condition: search.criteria(resourceType, query, '').condition };
  } catch (err) {
    if (!(err instanceof FhirError)) throw err;
    return invalid({
      en: `criteria '${criteria as string}' is not a search this server supports: ${err.message}`,
      nl: `criteria '${criteria as string}' is geen zoekvraag die deze server ondersteunt: ${err.message}`,
    });
  }
}

/** `channel.header` entries (`Name: value`) as request headers; a malformed one is refused. */
export function channelHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of (Array.isArray(headers) ? headers : []) as unknown[]) {
    const m = typeof h === 'string' ? /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*([^\r\n]*)$/.exec(h) : null;
    if (!m) {
      invalid({
        en: `channel.header '${String(h)}' is not 'Name: value'`,
        nl: `channel.header '${String(h)}' is geen 'Naam: waarde'`,
      });
    }
    out[m![1]!.toLowerCase()] = m![2]!;
  }
  return out;
}

/**
 * A Subscription checked and completed before it is stored (the write hook's `prepare`): its
 * criteria compile, its channel is a REST-hook to an allowed endpoint with a payload of none or
 * FHIR JSON, and its status is the server's: `requested` (or `active`) becomes `active` at
 * once; `off` stays off; `error` is set by the server after the last failed delivery (a
 * client's own `error` is kept: nothing goes to it either).
 */
export function prepareSubscription(deps: { search: SearchEngine; allowPrivate: boolean }) {
  return async (resource: Resource, _current: Resource | undefined): Promise<Resource> => {
    if (resource.resourceType !== 'Subscription') return resource;
    const s = resource as Json;
    compileCriteria(deps.search, s.criteria);
    const channel = (s.channel ?? {}) as Json;
    if (channel.type !== 'rest-hook') {
      invalid({
        en: `channel.type must be 'rest-hook' (the only channel this server delivers), not '${String(channel.type)}'`,
        nl: `channel.type moet 'rest-hook' zijn (het enige kanaal dat deze server bezorgt), niet '${String(channel.type)}'`,
      });
    }
    if (channel.payload !== undefined && !String(channel.payload).startsWith(FHIR_JSON)) {
      invalid({
        en: `channel.payload is absent (a ping without content) or '${FHIR_JSON}', not '${String(channel.payload)}'`,
        nl: `channel.payload ontbreekt (een melding zonder inhoud) of is '${FHIR_JSON}', niet '${String(channel.payload)}'`,
      });
    }
    channelHeaders(channel.header);
    try {
      checkEndpointHost(checkEndpointSyntax(channel.endpoint, deps.allowPrivate), deps.allowPrivate);
    } catch (err) {
      if (err instanceof EndpointRefused) invalid(err.said);
      throw err;
    }
    const status = s.status;
    // A client's own 'error' (a system moving its subscriptions in) is stored as it is: like
    // 'off', nothing is delivered to it until the client asks 'requested' again.
    if (status !== 'requested' && status !== 'active' && status !== 'off' && status !== 'error') {
      invalid({
        en: `status is 'requested' (or 'off'), not '${String(status)}'`,
        nl: `status is 'requested' (of 'off'), niet '${String(status)}'`,
      });
    }
    if (status === 'requested' || status === 'active') {
      // Active from now on: an earlier error is history once the client asks again.
      const { error: _error, ...rest } = s;
      return { ...rest, status: 'active' } as unknown as Resource;
    }
    return resource;
  };
}
