import { randomUUID } from 'node:crypto';
import { nameLine, roleDisplay } from './role-names.ts';
import { loadCurrent } from '../../fhir/rest/read.ts';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse, say, type Said } from '../language.ts';
import { readAs } from '../referral/parties.ts';
import { executeSearch } from '../../fhir/search/execute.ts';

type Json = Record<string, unknown>;
type Coding = { system?: string; code?: string; display?: string };
type Ref = { reference?: string; display?: string };
/** The parts of an AuditEvent (audit-event.ts) the log reads. */
interface Agent {
  type?: { coding?: Coding[] };
  who?: Ref;
  name?: string;
  requestor?: boolean;
  role?: { coding?: Coding[] }[];
  extension?: { url?: string; valueReference?: Ref }[];
}
interface Event {
  id?: string;
  outcome?: string;
  recorded?: string;
  type?: Coding;
  subtype?: Coding[];
  purposeOfEvent?: { coding?: Coding[] }[];
  agent?: Agent[];
  entity?: { what?: Ref; role?: Coding }[];
}

/** Events in one answer (a page of the server's size at most). */
const MAX_EVENTS = 1000;

export const ACCESS_LOG_OPERATION = 'https://zorgpoort.nl/fhir/OperationDefinition/Patient-access-log';

const ORGANIZATION_EXTENSION = 'http://zorgpoort.nl/fhir/StructureDefinition/audit-agent-organization';
const DATE =
  /^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2}))?)?)?$/;

/** What was done, in words (the interaction codes of the event's subtype). */
const DONE: Record<string, Said> = {
  read: { nl: 'ingezien', en: 'viewed' },
  vread: { nl: 'ingezien', en: 'viewed' },
  'search-type': { nl: 'gezocht', en: 'searched' },
  'search-system': { nl: 'gezocht', en: 'searched' },
  'history-instance': { nl: 'geschiedenis ingezien', en: 'viewed the history' },
  create: { nl: 'toegevoegd', en: 'added' },
  update: { nl: 'gewijzigd', en: 'changed' },
  patch: { nl: 'gewijzigd', en: 'changed' },
  delete: { nl: 'verwijderd', en: 'deleted' },
  $everything: { nl: 'het hele dossier ingezien', en: 'viewed the whole record' },
  '$break-the-glass': { nl: 'noodprocedure gestart', en: 'started emergency access' },
  '110127': { nl: 'noodprocedure gestart', en: 'started emergency access' },
  transaction: { nl: 'bijgewerkt (bundel)', en: 'changed (bundle)' },
  batch: { nl: 'bijgewerkt (bundel)', en: 'changed (bundle)' },
  '$portal-view': { nl: 'ingezien in het zorgverlenersportaal', en: 'viewed in the caregiver portal' },
  '$portal-lab-series': { nl: 'labgrafiek ingezien', en: 'viewed a lab chart' },
  '$portal-search': { nl: 'gezocht in het zorgverlenersportaal', en: 'searched in the caregiver portal' },
  '$portal-patient': { nl: 'patiëntgegevens ingezien', en: 'viewed patient information' },
  '$report-death': { nl: 'overlijden gemeld', en: 'reported a death' },
  '$access-log': { nl: 'inzagelog ingezien', en: 'viewed the access log' },
  '$export-reports': { nl: 'verslagen ingezien', en: 'viewed the reports' },
};

/** Why, in words (v3-ActReason purpose of use). */
const WHY: Record<string, Said> = {
  TREAT: { nl: 'behandeling', en: 'treatment' },
  BTG: { nl: 'noodprocedure', en: 'emergency access' },
  PATRQT: { nl: 'op verzoek van de patiënt', en: "at the patient's request" },
  HOPERAT: { nl: 'systeem van de zorginstelling', en: "the care institution's system" },
};

function checkDate(ctx: RestContext, name: string, value: string | null): string | undefined {
  if (value === null || value === '') return undefined;
  if (!DATE.test(value)) {
    refuse(ctx.language, 400, 'invalid', {
      en: `Parameter '${name}' is a date (YYYY-MM-DD) or a date and time, got '${value}'`,
      nl: `Parameter '${name}' is een datum (JJJJ-MM-DD) of datum en tijd, niet '${value}'`,
    });
  }
  return value;
}

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** One line of the log as a person reads it. */
interface Row {
  when: string;
  who?: string;
  whoReference?: string;
  functionName?: string;
  organization?: string;
  organizationReference?: string;
  what: string;
  purpose?: { code: string; text: string };
  emergency: boolean;
  auditEvent: string;
}

/**
 * `GET Patient/[id]/$access-log[?from=&to=]`: who looked at the patient's record (seed 002,
 * 1: "welke zorgverlener (functienaam) … heeft ingelogd op zijn dossier"; "op verzoek … een
 * overzicht … in een bepaalde periode"). Read through the gate as the caller: the patient
 * themself, or an auditor (AUDITORS, a `system/AuditEvent.rs` client); to everyone else the log
 * does not exist: a caregiver who may see the patient gets 403, one who may not 404 as for a
 * missing patient. The answer is a Parameters resource: one `event` per AuditEvent that
 * disclosed or changed the patient's data — newest first, the patient's own requests left out —
 * with when, who (name), function name (the role's display, e.g. "Huisarts"), organisation,
 * what (done, which resource types), purpose, `emergency` (break-the-glass) and the AuditEvent
 * itself; and `table`, the same as an XHTML table (Dutch and English by Accept-Language), which
 * is the export a hospital hands over for a period (`from`/`to`, on AuditEvent.recorded).
 */
export function accessLog() {
  return async (ctx: RestContext, id: string, req: FhirRequest): Promise<FhirResult> => {
    const from = checkDate(ctx, 'from', req.query.get('from'));
    const to = checkDate(ctx, 'to', req.query.get('to'));
    const access = ctx.store.access;
    const readsLog = !access.hiddenTypes?.has('AuditEvent') && access.allows('s', 'AuditEvent');
    const who = ctx.principal;
    if (!readsLog || who.kind === 'patient') {
      // A patient reads only their own (another's is missing to them); a caregiver is told no.
      await loadCurrent(ctx, 'Patient', id);
    }
    if (!readsLog) {
      refuse(ctx.language, 403, 'forbidden', {
        en: 'The access log is read by the patient it is about and by auditors only, not by caregivers (and only with an app that may read AuditEvent)',
        nl: 'De inzagelog wordt alleen gelezen door de patiënt zelf en door auditors, niet door zorgverleners (en alleen met een app die AuditEvent mag lezen)',
      });
    }
    const filter: [string, string][] = [['patient', `Patient/${id}`]];
    if (from) filter.push(['date', `ge${from}`]);
    if (to) filter.push(['date', `le${to}`]);
    const self = `Patient/${id}`;
    // The newest events, one page at most: a longer log is asked for by period (from, to).
    const page = await executeSearch(
      ctx.store.search,
      ctx.search.registry,
      ctx.search.plan({
        resourceType: 'AuditEvent',
        params: [
          ...filter,
          ['_sort', '-date'],
          ['_count', String(Math.min(MAX_EVENTS, ctx.limits.maxSearchCount))],
        ],
        strict: true,
        baseUrl: ctx.baseUrl,
        limits: ctx.limits,
      }),
      { maxIncludes: 0 },
    );
    const more = page.next !== undefined;
    const events = page.matches
      .flatMap((row) => (row.content ? [JSON.parse(row.content) as Event] : []))
      .filter(
        (e) =>
          (e.entity ?? []).some((x) => x.role?.code === '1' && x.what?.reference === self) &&
          !(e.agent ?? []).some((a) => a.requestor === true && a.who?.reference === self),
      )
      .sort((a, b) => String(b.recorded).localeCompare(String(a.recorded)));
    const names = namesOf(ctx);
    const rows: Row[] = [];
    for (const event of events) rows.push(await rowOf(ctx, event, names));
    const parameter = [
      { name: 'patient', valueReference: { reference: self } },
      ...(from ? [{ name: 'from', valueString: from }] : []),
      ...(to ? [{ name: 'to', valueString: to }] : []),
      { name: 'count', valueInteger: rows.length },
      ...(more
        ? [
            {
              name: 'truncated',
              valueString: say(ctx.language, {
                en: `Only the newest ${MAX_EVENTS} events are listed: ask for a period with from and to`,
                nl: `Alleen de nieuwste ${MAX_EVENTS} gebeurtenissen staan hier: vraag een periode met from en to`,
              }),
            },
          ]
        : []),
      ...rows.map((r) => ({ name: 'event', part: partsOf(r) })),
      { name: 'table', valueString: table(ctx, rows) },
    ];
    return {
      status: 200,
      headers: {},
      resource: { resourceType: 'Parameters', id: randomUUID(), parameter } as Resource,
    };
  };
}

/** Names of the directory (practitioners, organisations), read once each, as the caller. */
function namesOf(ctx: RestContext) {
  const known = new Map<string, Promise<string | undefined>>();
  return (reference: string | undefined): Promise<string | undefined> => {
    if (!reference) return Promise.resolve(undefined);
    let name = known.get(reference);
    if (!name) {
      name = readAs(ctx, { reference }, ['Practitioner', 'Organization']).then((r) => {
        if (!r) return undefined;
        if (typeof r.name === 'string') return r.name;
        return nameLine(r.name);
      });
      known.set(reference, name);
    }
    return name;
  };
}

async function rowOf(
  ctx: RestContext,
  event: Event,
  names: (reference: string | undefined) => Promise<string | undefined>,
): Promise<Row> {
  const agents = event.agent ?? [];
  const person = agents.find((a) => a.requestor === true && a.who?.reference);
  const client = agents.find((a) => a.type?.coding?.[0]?.code === '110153');
  const actor = person ?? client;
  const organizationRef = (actor?.extension ?? []).find(
    (x) => x.url === ORGANIZATION_EXTENSION,
  )?.valueReference;
  const whoReference = person?.who?.reference;
  // Names come from the references, never from the event's own words: a system client may
  // submit AuditEvents, and its displays would be shown to the patient as fact.
  const who = person ? await names(whoReference) : client?.who?.reference;
  const functionName = [
    ...new Set(
      (person?.role ?? []).flatMap((r) =>
        (r.coding ?? []).flatMap((c) => roleDisplay(`${c.system ?? ''}|${c.code ?? ''}`) ?? []),
      ),
    ),
  ].join(', ');
  const organizationReference = organizationRef?.reference;
  const organization = await names(organizationReference);
  const subtype = event.subtype?.[0]?.code ?? '';
  const types = [
    ...new Set(
      (event.entity ?? []).flatMap((x) =>
        x.role?.code === '4' && x.what?.reference ? [x.what.reference.split('/')[0]!] : [],
      ),
    ),
  ];
  const done = DONE[subtype] ? say(ctx.language, DONE[subtype]) : subtype;
  const purposeCode = event.purposeOfEvent?.[0]?.coding?.[0]?.code;
  return {
    when: event.recorded ?? '',
    ...(who ? { who } : {}),
    ...(whoReference ? { whoReference } : {}),
    ...(functionName ? { functionName } : {}),
    ...(organization ? { organization } : {}),
    ...(organizationReference ? { organizationReference } : {}),
    what:
      (types.length ? `${done}: ${types.join(', ')}` : done) +
      // Tried, not done: a refusal, or an emergency procedure offered in a search.
      (event.outcome && event.outcome !== '0'
        ? ` (${say(ctx.language, { nl: 'niet gelukt', en: 'not granted' })})`
        : ''),
    ...(purposeCode
      ? {
          purpose: {
            code: purposeCode,
            text: WHY[purposeCode] ? say(ctx.language, WHY[purposeCode]) : purposeCode,
          },
        }
      : {}),
    emergency: purposeCode === 'BTG' || event.type?.code === '110113',
    auditEvent: `AuditEvent/${event.id ?? ''}`,
  };
}

function partsOf(r: Row): Json[] {
  return [
    { name: 'when', valueInstant: r.when },
    ...(r.who ? [{ name: 'who', valueString: r.who }] : []),
    ...(r.whoReference ? [{ name: 'whoReference', valueReference: { reference: r.whoReference } }] : []),
    ...(r.functionName ? [{ name: 'function', valueString: r.functionName }] : []),
    ...(r.organization ? [{ name: 'organization', valueString: r.organization }] : []),
    ...(r.organizationReference
      ? [{ name: 'organizationReference', valueReference: { reference: r.organizationReference } }]
      : []),
    { name: 'what', valueString: r.what },
    ...(r.purpose
      ? [
          {
            name: 'purpose',
            valueCoding: {
              system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
              code: r.purpose.code,
              display: r.purpose.text,
            },
          },
        ]
      : []),
    { name: 'emergency', valueBoolean: r.emergency },
    { name: 'auditEvent', valueReference: { reference: r.auditEvent } },
  ];
}

/** The same rows as an XHTML table: what a patient prints or a hospital hands over. */
function table(ctx: RestContext, rows: Row[]): string {
  const head = [
    { nl: 'Wanneer', en: 'When' },
    { nl: 'Wie', en: 'Who' },
    { nl: 'Functie', en: 'Function' },
    { nl: 'Organisatie', en: 'Organisation' },
    { nl: 'Wat', en: 'What' },
    { nl: 'Waarom', en: 'Why' },
    { nl: 'Noodprocedure', en: 'Emergency' },
  ].map((h) => `<th>${escape(say(ctx.language, h))}</th>`);
  const yes = say(ctx.language, { nl: 'ja', en: 'yes' });
  const body = rows.map(
    (r) =>
      '<tr>' +
      [r.when, r.who, r.functionName, r.organization, r.what, r.purpose?.text, r.emergency ? yes : '']
        .map((c) => `<td>${escape(c ?? '')}</td>`)
        .join('') +
      '</tr>',
  );
  return `<div xmlns="http://www.w3.org/1999/xhtml"><table><thead><tr>${head.join('')}</tr></thead><tbody>${body.join('')}</tbody></table></div>`;
}
