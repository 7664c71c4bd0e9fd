import type { AuthorizedStore } from '../../access/authorized-store.ts';
import { executeSearch } from '../../fhir/search/execute.ts';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse } from '../language.ts';
import { covers, requireFunction } from './functions.ts';
import { clustersOf, current, idOf, nameOf, type Json } from './function-roles.ts';
import type { AccountDeps } from './account-deps.ts';
import {
  AGB_SYSTEM,
  CLUSTER_EXTENSION,
  DIAGNOSTICS_CATEGORY,
  OFFERING_KIND_SYSTEM,
  REFERRAL_CATEGORY,
} from './vocabulary.ts';

/** ServiceRequests read per answer; more come by the `next` link. */
export const REPORT_PAGE = 1_000;
/** The longest period one report covers (a year, a leap day included). */
const MAX_DAYS = 366;
const DAY = 86_400_000;

export interface ReportDeps extends Pick<AccountDeps, 'store' | 'search'> {
  /**
   * The store with the server's rights, read only with the operation's own criterion: the
   * referrals whose receiver (performer) is the organisation, the admin's side of them.
   */
  serverStore: () => AuthorizedStore;
}

/**
 * The columns: enough to count and follow referrals per offering, cluster and referrer, and
 * nothing of the patient (no name, BSN, birth date, address, nor the ICPC reason, which is
 * medical): a report goes to spreadsheets and mail. The ServiceRequest's id lets the receiver
 * find the referral in its own systems, where the gate and the access log apply.
 */
const COLUMNS = [
  'authored',
  'kind',
  'service_request',
  'offering',
  'cluster',
  'referrer',
  'referrer_agb',
  'referring_organization',
  'task_status',
];

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
export function csvField(value: string | undefined): string {
  let v = value ?? '';
  // A cell a spreadsheet would run as a formula is made text (OWASP CSV injection).
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

const csvLine = (fields: (string | undefined)[]) => `${fields.map(csvField).join(',')}\r\n`;

/** A date (YYYY-MM-DD) as the start of that day in UTC, or undefined. */
function day(value: string | undefined): number | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const t = Date.parse(`${value}T00:00:00Z`);
  return Number.isNaN(t) ? undefined : t;
}

function kindOf(sr: Json, offering: Json | undefined): string {
  const codes = ((sr.category ?? []) as Json[]).flatMap((c) => (c.coding ?? []) as Json[]);
  if (codes.some((c) => c.system === REFERRAL_CATEGORY.system && c.code === REFERRAL_CATEGORY.code))
    return 'referral';
  if (codes.some((c) => c.system === DIAGNOSTICS_CATEGORY.system && c.code === DIAGNOSTICS_CATEGORY.code)) {
    return 'diagnostics';
  }
  const kind = ((offering?.category ?? []) as Json[])
    .flatMap((c) => (c.coding ?? []) as Json[])
    .find((c) => c.system === OFFERING_KIND_SYSTEM)?.code;
  return typeof kind === 'string' ? kind : '';
}

const agbOf = (r: Json | undefined): string | undefined =>
  ((r?.identifier ?? []) as Json[]).find((i) => i.system === AGB_SYSTEM)?.value;

/**
 * `GET Organization/[id]/$referral-report?from=YYYY-MM-DD&to=YYYY-MM-DD` (seed "Beheer
 * rapportages: voor het maken van exports van verwijzingen en aanvragen"): for an admin with
 * `admin-reports` at the organisation, the referrals and diagnostics requests it received
 * (ServiceRequest.performer = the organisation), authored from `from` up to and including `to`
 * (UTC days, at most a year), whose offering is in a cluster the admin covers (an offering in
 * no cluster: only for an admin of the whole organisation), as CSV, oldest first. At most
 * REPORT_PAGE ServiceRequests (or `_count`) are read per answer; a `Link: <…>; rel="next"`
 * header gives the rest. The referrals read are in their patients' access logs, as the admin's.
 */
export function referralReport(deps: ReportDeps) {
  return async (ctx: RestContext, organizationId: string, req: FhirRequest): Promise<FhirResult> => {
    const scope = await requireFunction(ctx, 'admin-reports');
    if (!scope.has(organizationId)) {
      refuse(ctx.language, 403, 'forbidden', {
        en: `You hold no reports admin function (admin-reports) at Organization/${organizationId}`,
        nl: `U heeft geen functie beheer rapportages (admin-reports) bij Organization/${organizationId}`,
      });
    }
    const from = day(req.query.get('from') ?? undefined);
    const to = day(req.query.get('to') ?? undefined);
    if (from === undefined || to === undefined || to < from) {
      refuse(ctx.language, 400, 'invalid', {
        en: 'Give the period as from=YYYY-MM-DD and to=YYYY-MM-DD (to on or after from)',
        nl: 'Geef de periode als from=JJJJ-MM-DD en to=JJJJ-MM-DD (to op of na from)',
      });
    }
    if ((to - from) / DAY + 1 > MAX_DAYS) {
      refuse(ctx.language, 400, 'too-costly', {
        en: `A report covers at most ${MAX_DAYS} days; split the period`,
        nl: `Een rapportage beslaat hoogstens ${MAX_DAYS} dagen; splits de periode`,
      });
    }
    const cursor = req.query.get('_cursor') ?? undefined;
    const count = Number(req.query.get('_count') ?? REPORT_PAGE);
    if (!Number.isInteger(count) || count < 1 || count > REPORT_PAGE) {
      refuse(ctx.language, 400, 'invalid', {
        en: `_count is a whole number from 1 to ${REPORT_PAGE}`,
        nl: `_count is een geheel getal van 1 tot en met ${REPORT_PAGE}`,
      });
    }
    const server = deps.serverStore();
    const plan = ctx.search.plan({
      resourceType: 'ServiceRequest',
      params: [
        ['performer', `Organization/${organizationId}`],
        ['authored', `ge${new Date(from).toISOString()}`],
        ['authored', `lt${new Date(to + DAY).toISOString()}`],
        ['_sort', 'authored'],
        ['_count', String(count)],
        ...(cursor ? ([['_cursor', cursor]] as [string, string][]) : []),
      ],
      strict: true,
      baseUrl: ctx.baseUrl,
      limits: { ...ctx.limits, maxSearchCount: Math.max(ctx.limits.maxSearchCount, REPORT_PAGE) },
    });
    const page = await executeSearch(server.search, ctx.search.registry, plan, { maxIncludes: 0 });
    const requests = page.matches.flatMap((r) => (r.content ? [JSON.parse(r.content) as Json] : []));
    const clusters = await clustersOf(deps, organizationId);
    const cache = new Map<string, Json | undefined>();
    const read = async (ref: unknown, type: string) => {
      const id = idOf(ref, type);
      if (!id) return undefined;
      const key = `${type}/${id}`;
      if (!cache.has(key)) cache.set(key, await current(deps.store, type, id));
      return cache.get(key);
    };
    const rows: { sr: Json; offering?: Json; cluster?: string }[] = [];
    for (const sr of requests) {
      const performers = (sr.performer ?? []) as Json[];
      const offeringRef = performers.find((p) => idOf(p, 'HealthcareService'));
      const offering = await read(offeringRef, 'HealthcareService');
      // An offering of another organisation is not this organisation's to report.
      if (offering && idOf(offering.providedBy, 'Organization') !== organizationId) continue;
      const cluster = idOf(
        ((offering?.extension ?? []) as Json[]).find((e) => e.url === CLUSTER_EXTENSION)?.valueReference,
        'Organization',
      );
      if (!covers(scope, organizationId, cluster && clusters.has(cluster) ? cluster : undefined)) continue;
      rows.push({ sr, ...(offering ? { offering } : {}), ...(cluster ? { cluster } : {}) });
    }
    const tasks = await taskStatuses(
      ctx,
      server,
      organizationId,
      rows.map((r) => r.sr.id as string),
    );
    let csv = csvLine(COLUMNS);
    for (const { sr, offering, cluster } of rows) {
      const requester = sr.requester as Json | undefined;
      const role = await read(requester, 'PractitionerRole');
      const person = role
        ? await read(role.practitioner, 'Practitioner')
        : await read(requester, 'Practitioner');
      const referringOrg = role
        ? await read(role.organization, 'Organization')
        : await read(requester, 'Organization');
      csv += csvLine([
        String(sr.authoredOn ?? ''),
        kindOf(sr, offering),
        `ServiceRequest/${sr.id as string}`,
        offering ? String(offering.name ?? `HealthcareService/${offering.id as string}`) : '',
        cluster ? (clusters.get(cluster) ?? `Organization/${cluster}`) : '',
        nameOf(person) || String(requester?.display ?? ''),
        agbOf(role) ?? agbOf(person),
        referringOrg ? String(referringOrg.name ?? '') : '',
        tasks.get(sr.id as string),
      ]);
    }
    ctx.audit?.record({
      interaction: '$referral-report',
      resourceType: 'Organization',
      id: organizationId,
      query: `from=${req.query.get('from')}&to=${req.query.get('to')}`,
      status: 200,
      resources: rows.map((r) => r.sr as Resource),
    });
    const next = page.next
      ? `${ctx.baseUrl}/Organization/${organizationId}/$referral-report?${new URLSearchParams({
          from: req.query.get('from')!,
          to: req.query.get('to')!,
          _count: String(count),
          _cursor: page.next,
        }).toString()}`
      : undefined;
    return {
      status: 200,
      headers: {
        'Cache-Control': 'no-store',
        'Content-Disposition': `attachment; filename="referrals-${req.query.get('from')}-${req.query.get('to')}.csv"`,
        ...(next ? { Link: `<${next}>; rel="next"` } : {}),
      },
      body: { contentType: 'text/csv; charset=utf-8; header=present', content: csv },
    };
  };
}

/** The status of each referral's Task (its workflow at the receiver, owned by it), newest Task first. */
async function taskStatuses(
  ctx: RestContext,
  server: AuthorizedStore,
  organizationId: string,
  ids: string[],
) {
  const statuses = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 100) {
    const chunk = ids.slice(i, i + 100);
    const plan = ctx.search.plan({
      resourceType: 'Task',
      params: [
        ['focus', chunk.map((id) => `ServiceRequest/${id}`).join(',')],
        ['owner', `Organization/${organizationId}`],
        ['_sort', '-_lastUpdated'],
        ['_count', String(REPORT_PAGE)],
      ],
      strict: true,
      baseUrl: ctx.baseUrl,
      limits: { ...ctx.limits, maxSearchCount: Math.max(ctx.limits.maxSearchCount, REPORT_PAGE) },
    });
    const page = await executeSearch(server.search, ctx.search.registry, plan, { maxIncludes: 0 });
    for (const row of page.matches) {
      if (!row.content) continue;
      const task = JSON.parse(row.content) as Json;
      const sr = idOf(task.focus, 'ServiceRequest');
      if (sr && !statuses.has(sr)) statuses.set(sr, String(task.status ?? ''));
    }
  }
  return statuses;
}
