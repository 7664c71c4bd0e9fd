import { randomUUID } from 'node:crypto';
import { loadCurrent } from '../../fhir/rest/read.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { nameOf, type Json } from './directory.ts';
import { escapeHtml } from './letters.ts';
import { searchAll } from '../search-all.ts';

/** LOINC 11503-0 Medical records: the document type of a plan's collected reports. */
const RECORDS = { system: 'http://loinc.org', code: '11503-0', display: 'Medical records' };

/**
 * `GET CarePlan/[id]/$export-reports` and `GET Patient/[id]/$export-reports`: the reports of a
 * plan (DocumentReference with `context.related` = the plan) or of a patient (every
 * DocumentReference of theirs) as one FHIR document: a Composition whose narrative holds the
 * reports' text, oldest first, then the patient, the plan and the reports themselves. Everything
 * is read as the caller, through the gate: the plan's team and the patient get it (each only the
 * reports they may see), anyone else a 404 as for a missing plan or patient, and each report
 * disclosed is in the access log like any read.
 */
export function exportReports(level: 'CarePlan' | 'Patient') {
  return async (ctx: RestContext, id: string): Promise<FhirResult> => {
    // The answer is a search of DocumentReference: the caller's app needs the scopes for that too.
    ctx.store.assertAllowed('search-type', false, 'DocumentReference');
    const focus = current(await loadCurrent(ctx, level, id));
    const plan = level === 'CarePlan' ? focus : undefined;
    const subject = ((plan?.subject as { reference?: string } | undefined)?.reference ?? '').split('/');
    const patient = !plan
      ? focus
      : subject[0] === 'Patient' && subject[1]
        ? current(await loadCurrent(ctx, 'Patient', subject[1]))
        : undefined;
    // A plan's reports about its patient only: a report naming the plan but about someone else is
    // not this patient's document, even for a caller who may see it.
    const reports = await reportsOf(
      ctx,
      plan
        ? [
            ['related', `CarePlan/${id}`],
            ['subject', `Patient/${(patient?.id as string | undefined) ?? '-'}`],
          ]
        : [['patient', `Patient/${id}`]],
    );
    const title = plan
      ? ((plan.title as string | undefined) ?? `CarePlan/${id}`)
      : nameOf(patient) || `Patient/${id}`;
    const now = new Date().toISOString();
    const composition: Json = {
      resourceType: 'Composition',
      id: randomUUID(),
      status: 'final',
      type: { coding: [RECORDS] },
      ...(patient ? { subject: { reference: `Patient/${patient.id as string}` } } : {}),
      date: now,
      author: plan?.author ? [plan.author] : [{ display: 'Zorgpoort' }],
      title: `Verslagen / Reports: ${title}`,
      text: { status: 'generated', div: narrative(title, patient, reports) },
      section: [
        {
          title: 'Verslagen / Reports',
          ...(reports.length
            ? { entry: reports.map((r) => ({ reference: `DocumentReference/${r.id as string}` })) }
            : { emptyReason: { coding: [{ system: EMPTY, code: 'nilknown' }] } }),
        },
      ],
    };
    const entries = [composition, ...(patient ? [patient] : []), ...(plan ? [plan] : []), ...reports];
    return {
      status: 200,
      headers: {},
      resource: {
        resourceType: 'Bundle',
        identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${randomUUID()}` },
        type: 'document',
        timestamp: now,
        entry: entries.map((r) => ({
          fullUrl:
            r === composition
              ? `urn:uuid:${r.id as string}`
              : `${ctx.baseUrl}/${r.resourceType as string}/${r.id as string}`,
          resource: r,
        })),
      } as Resource,
    };
  };
}

const EMPTY = 'http://terminology.hl7.org/CodeSystem/list-empty-reason';

/** A current version's resource (a live version always has content). */
const current = (version: { content?: string | null }): Json => JSON.parse(version.content ?? '{}') as Json;

/** The reports matching `filter` that the caller may see, oldest first, every page. */
async function reportsOf(ctx: RestContext, filter: [string, string][]): Promise<Json[]> {
  return (await searchAll(ctx, { resourceType: 'DocumentReference' }, [...filter, ['_sort', 'date']])).map(
    current,
  );
}

interface Attachment {
  contentType?: string;
  data?: string;
  title?: string;
  url?: string;
}

/** What a person reads of one report: its text when it has plain text, else what it holds. */
function reportText(report: Json): string {
  const parts = ((report.content ?? []) as { attachment?: Attachment }[]).map(({ attachment: a = {} }) => {
    if (a.data && /^text\/plain\b/.test(a.contentType ?? 'text/plain')) {
      return `<p style="white-space:pre-wrap">${escapeHtml(Buffer.from(a.data, 'base64').toString('utf8'))}</p>`;
    }
    return `<p>[${escapeHtml(a.title ?? a.contentType ?? 'bijlage / attachment')}${a.url ? `: ${escapeHtml(a.url)}` : ''}]</p>`;
  });
  return parts.join('');
}

function narrative(title: string, patient: Json | undefined, reports: Json[]): string {
  const head =
    `<h1>${escapeHtml(title)}</h1>` +
    (patient
      ? `<p>${escapeHtml(nameOf(patient))}${patient.birthDate ? `, ${escapeHtml(patient.birthDate as string)}` : ''}</p>`
      : '');
  const body = reports.length
    ? reports
        .map(
          (r) =>
            `<h2>${escapeHtml((r.description as string | undefined) ?? 'Verslag / Report')}` +
            `${r.date ? ` (${escapeHtml(r.date as string)})` : ''}</h2>${reportText(r)}`,
        )
        .join('')
    : '<p>Nog geen verslagen. / No reports yet.</p>';
  return `<div xmlns="http://www.w3.org/1999/xhtml">${head}${body}</div>`;
}
