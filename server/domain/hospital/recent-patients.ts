import type { AuthorizedStore } from '../../access/authorized-store.ts';
import { executeSearch } from '../../fhir/search/execute.ts';
import { parseFhirJson } from '../../fhir/format/json.ts';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { SearchRow } from '../../fhir/storage/search-queries.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse } from '../language.ts';

export const PORTAL_RECENT_OPERATION = 'https://zorgpoort.nl/fhir/OperationDefinition/Patient-portal-recent';
export const LAST_OPENED_EXTENSION = 'https://zorgpoort.nl/fhir/StructureDefinition/last-opened';

const DEFAULT_COUNT = 20;
const MAX_COUNT = 50;
/** AuditEvents read per page, and the most pages looked through (the newest 2,000 events). */
const PAGE = 200;
const MAX_PAGES = 10;

export interface RecentPatientsDeps {
  /** The store with the server's rights (the caller may not read the access log themself). */
  serverStore: () => AuthorizedStore;
}

/**
 * `GET Patient/$portal-recent[?_count=N]`: the portal's "Recente" button (seed 002, 2.1.1), the
 * patients the calling caregiver opened lately, newest first, from their own entries in the
 * access log, so the list is true by construction.
 *
 * "Opened": an AuditEvent of a REST interaction (read, search or operation, `action` R or E)
 * that succeeded (`outcome` 0), with this practitioner as the requesting agent, naming the
 * patient as the one whose data went out (entity role 1); the list itself (`$portal-recent`)
 * does not count, or viewing it would keep its patients on it. The log is read with the
 * server's rights, but only ever with the caller as the agent; it is settled first, so what they
 * opened a moment ago is on it. Each patient is then read as the caller, through the gate: one
 * they may no longer see is left out (and nothing of it shows).
 *
 * The answer: a `searchset` of Patients in the order last opened, each entry with the extension
 * LAST_OPENED_EXTENSION (valueInstant: when). Its disclosures are logged like any search.
 */
export function recentPatients(deps: RecentPatientsDeps) {
  return async (ctx: RestContext, req: FhirRequest): Promise<FhirResult> => {
    const who = ctx.principal;
    if (who.kind !== 'practitioner') {
      refuse(ctx.language, 403, 'forbidden', {
        en: 'Recent patients are a caregiver’s own: only a practitioner’s login has them',
        nl: 'Recente patiënten zijn die van een zorgverlener zelf: alleen een login van een zorgverlener heeft ze',
      });
    }
    const count = countOf(ctx, req);
    const server = deps.serverStore();
    const plan = ctx.search.plan({
      resourceType: 'AuditEvent',
      params: [
        ['agent', `Practitioner/${who.practitionerId}`],
        ['type', 'http://terminology.hl7.org/CodeSystem/audit-event-type|rest'],
        ['action', 'R,E'],
        ['outcome', '0'],
        ['entity-role', 'http://terminology.hl7.org/CodeSystem/object-role|1'],
        ['subtype:not', 'http://zorgpoort.nl/fhir/CodeSystem/operation|\\$portal-recent'],
        ['_sort', '-date'],
        ['_count', String(PAGE)],
      ],
      strict: true,
      baseUrl: ctx.baseUrl,
      limits: { ...ctx.limits, maxSearchCount: Math.max(ctx.limits.maxSearchCount, PAGE) },
    });
    const seen = new Set<string>();
    const found: { patient: StoredPatient; at: string }[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < MAX_PAGES && found.length < count; pages++) {
      const page = await executeSearch(
        server.search,
        ctx.search.registry,
        { ...plan, result: { ...plan.result, ...(cursor ? { cursor } : {}) } },
        { maxIncludes: 0 },
      );
      for (const event of newestFirst(page.matches)) {
        const patient = patientOf(event);
        if (!patient || seen.has(patient)) continue;
        seen.add(patient);
        const visible = await ctx.store.lookup('Patient', patient);
        if (visible.kind !== 'live' || !visible.version.content) continue;
        found.push({ patient: visible.version as StoredPatient, at: event.recorded });
        if (found.length === count) break;
      }
      cursor = page.next;
      if (!cursor) break;
    }
    return {
      status: 200,
      headers: {},
      resource: {
        resourceType: 'Bundle',
        type: 'searchset',
        total: found.length,
        link: [{ relation: 'self', url: `${ctx.baseUrl}/Patient/$portal-recent?_count=${count}` }],
        entry: found.map(({ patient, at }) => ({
          extension: [{ url: LAST_OPENED_EXTENSION, valueInstant: at }],
          fullUrl: `${ctx.baseUrl}/Patient/${patient.id}`,
          resource: parseFhirJson(patient.content) as Resource,
          search: { mode: 'match' },
        })),
      } as Resource,
    };
  };
}

type StoredPatient = { id: string; content: string };
type AuditEventShape = {
  recorded: string;
  entity?: { what?: { reference?: string }; role?: { code?: string } }[];
};

/**
 * The page's events, newest first: events of one millisecond (a search's patients, two quick
 * requests) by the order they were logged in (the log's row id), which the search's own
 * tie-break (ascending) would reverse.
 */
function newestFirst(rows: SearchRow[]): AuditEventShape[] {
  return rows
    .flatMap((row) =>
      row.content ? [{ rid: BigInt(row.rid), event: parseFhirJson(row.content) as AuditEventShape }] : [],
    )
    .sort((a, b) =>
      a.event.recorded === b.event.recorded
        ? Number(b.rid - a.rid)
        : Date.parse(b.event.recorded) - Date.parse(a.event.recorded),
    )
    .map(({ event }) => event);
}

/** The patient whose data the event disclosed (BALP: one per event). */
function patientOf(event: AuditEventShape): string | undefined {
  const ref = event.entity?.find((e) => e.role?.code === '1')?.what?.reference;
  return ref?.startsWith('Patient/') ? ref.slice('Patient/'.length) : undefined;
}

function countOf(ctx: RestContext, req: FhirRequest): number {
  let count = DEFAULT_COUNT;
  for (const [name, value] of req.query) {
    if (name !== '_count') {
      refuse(ctx.language, 400, 'invalid', {
        en: `Unknown parameter '${name}': $portal-recent takes only _count`,
        nl: `Onbekende parameter '${name}': $portal-recent kent alleen _count`,
      });
    }
    count = Number(value);
    if (!/^\d+$/.test(value) || count < 1 || count > MAX_COUNT) {
      refuse(ctx.language, 400, 'invalid', {
        en: `_count is a whole number from 1 to ${MAX_COUNT}, not '${value}'`,
        nl: `_count is een geheel getal van 1 tot ${MAX_COUNT}, niet '${value}'`,
      });
    }
  }
  return count;
}
