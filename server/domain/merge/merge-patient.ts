import { FhirError } from '../../fhir/errors.ts';
import { matchOne } from '../../fhir/rest/conditional-match.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { update } from '../../fhir/rest/update.ts';
import type { Resource, StoredVersion } from '../../fhir/storage/types.ts';
import { mergedIdentifiers, type Identifier } from './merge-identifiers.ts';
import { readMergeInput, type MergeSide } from './merge-input.ts';
import { recordOf } from './record-of.ts';
import { repointed } from './repoint.ts';

export const MERGE_OPERATION = 'https://zorgpoort.nl/fhir/OperationDefinition/Patient-merge';

type Link = { other?: { reference?: string }; type?: string };

const refuse = (status: number, code: 'not-found' | 'business-rule' | 'invalid', text: string): never => {
  throw new FhirError(status, `$merge: ${text}`, { code });
};

const parse = (v: StoredVersion) => JSON.parse(v.content!) as Resource;
const etag = (v: StoredVersion) => `W/"${v.versionId}"`;

/** `identifier=a,b`: a patient found by any of them (as PID-3 finds one), escaped for search. */
function identifierQuery(ids: Identifier[]): string {
  const esc = (v: string) => v.replace(/[\\,|$]/g, (c) => `\\${c}`);
  return `identifier=${ids.map((i) => encodeURIComponent(`${esc(i.system ?? '')}|${esc(i.value ?? '')}`)).join(',')}`;
}

/**
 * The patient a side names, as the caller sees it (one they may not see is "not known", as a
 * missing one): by reference, by identifiers, or both, which must name the same one.
 */
async function resolve(ctx: RestContext, side: MergeSide): Promise<StoredVersion> {
  let byId: StoredVersion | undefined;
  if (side.id) {
    const found = await ctx.store.lookup('Patient', side.id, true);
    if (found.kind !== 'live') refuse(404, 'not-found', `${side.name} Patient/${side.id} is not known`);
    byId = (found as { version: StoredVersion }).version;
  }
  if (side.identifiers.length === 0) return byId!;
  const query = identifierQuery(side.identifiers);
  const byIdentifier = await matchOne(ctx, 'Patient', query, `$merge ${side.name}-identifier`);
  if (!byIdentifier) {
    const said = side.identifiers.map((i) => `${i.system}|${i.value}`).join(', ');
    refuse(404, 'not-found', `no patient is known by ${side.name}-identifier ${said}`);
  }
  if (byId && byId.id !== byIdentifier!.id) {
    refuse(422, 'business-rule', `${side.name} and ${side.name}-identifier name different patients`);
  }
  return byIdentifier!;
}

const replacedBy = (p: Resource) =>
  ((p.link ?? []) as Link[]).find((l) => l.type === 'replaced-by')?.other?.reference;

/**
 * `POST Patient/$merge` (R5's operation, as HAPI has it in R4): the source patient's record
 * becomes the target's. In one transaction: every resource of the source's compartment that
 * refers to it refers to the target (each a new version through the update path: validation,
 * search index, access facts, history, access log), so relationships and consents follow the
 * data; the target takes the source's identifiers (`old`, the BSN as it is);
 * the source is `active: false`, `replaced-by` the target, and keeps no identifier, so nothing
 * finds it by number any more. See README.md in this folder.
 */
export async function mergePatients(ctx: RestContext, body: unknown): Promise<FhirResult> {
  const input = readMergeInput(body);
  return ctx.store.transaction(async (store, raw) => {
    const tx: RestContext = { ...ctx, store };
    const source = await resolve(tx, input.source);
    const target = await resolve(tx, input.target);
    const targetBefore = parse(target);
    const sourceBefore = parse(source);
    if (source.id === target.id) {
      // A resend of a merge already made finds the source's numbers on the survivor, as `old`.
      const again =
        input.source.identifiers.length > 0 &&
        ((targetBefore.identifier ?? []) as Identifier[]).some(
          (i) =>
            i.use === 'old' &&
            input.source.identifiers.some((s) => s.system === i.system && s.value === i.value),
        );
      if (again) return answer(targetBefore, 'already merged: nothing changed', {});
      refuse(422, 'business-rule', 'source-patient and target-patient are the same patient');
    }
    const sourceGone = replacedBy(sourceBefore);
    if (sourceGone)
      refuse(422, 'business-rule', `Patient/${source.id} was merged into ${sourceGone} already`);
    const targetGone = replacedBy(targetBefore);
    if (targetGone)
      refuse(422, 'business-rule', `Patient/${target.id} was merged into ${targetGone}: merge into that one`);
    const result = input.result ?? targetBefore;
    if (result.id !== undefined && result.id !== target.id) {
      refuse(
        400,
        'invalid',
        `result-patient.id ('${String(result.id)}') must be the target's (${target.id})`,
      );
    }

    const from = `Patient/${source.id}`;
    const to = `Patient/${target.id}`;
    // No `replaces` link on the survivor: R4's Patient compartment puts a Patient in the
    // compartment of every patient it links to, and the gate shows a row only to whoever is
    // related to all of its patients — nobody is related to the retired record after the merge,
    // so such a link would hide the survivor from every caregiver. The retired record's
    // `replaced-by` tells the merge (as $activate's retired records do).
    const survivor: Resource = {
      ...result,
      resourceType: 'Patient',
      id: target.id,
      meta: { ...keptMeta(targetBefore), ...(input.result?.meta ?? {}) },
      active: result.active ?? targetBefore.active ?? true,
      identifier: mergedIdentifiers(
        (result.identifier ?? []) as Identifier[],
        (targetBefore.identifier ?? []) as Identifier[],
        (sourceBefore.identifier ?? []) as Identifier[],
      ),
    };
    const links = ((input.result?.link ?? targetBefore.link ?? []) as Link[]).filter(
      (l) => l.other?.reference !== from,
    );
    if (links.length) survivor.link = links;
    else delete survivor.link;
    const { identifier: _numbers, ...kept } = sourceBefore;
    const retired: Resource = {
      ...kept,
      active: false,
      link: [...((sourceBefore.link ?? []) as Link[]), { other: { reference: to }, type: 'replaced-by' }],
    };
    // The record: everything of the source's compartment, also what the caller may not see —
    // a merge that left part of it on the retired patient would lose it. The caller proved a
    // relationship with both patients (the two writes below go through their gate); the moved
    // rows are judged at the survivor as before (their holder, the consents that move with them).
    const open = store.onBehalf(raw);
    const moved = await recordOf({ ...ctx, store: open }, source.id, [source.id, target.id]);
    if (input.preview) return answer(survivor, `preview: ${from} would be merged into ${to}`, {});

    // The two patients through the caller's gate: who may not write both may not merge them.
    await store.lockInOrder([
      { resourceType: 'Patient', id: source.id },
      { resourceType: 'Patient', id: target.id },
    ]);
    await update(tx, 'Patient', source.id, retired, { ifMatch: etag(source) });
    const written = await update(tx, 'Patient', target.id, survivor, { ifMatch: etag(target) });
    for (const row of moved) {
      const next = repointed(parse(row), from, to, ctx.baseUrl);
      if (next) await update({ ...ctx, store: open }, row.resourceType, row.id, next, { ifMatch: etag(row) });
    }
    const { Location: location, ...headers } = written.headers;
    return answer(written.resource ?? survivor, `${from} is merged into ${to}`, {
      ...headers,
      ...(location ? { 'Content-Location': location } : {}),
    });
  });
}

/** The meta a write keeps (its tags and profiles); the store sets version and time. */
function keptMeta(r: Resource): Record<string, unknown> {
  const meta = (r.meta ?? {}) as Record<string, unknown>;
  return Object.fromEntries(['profile', 'tag', 'security'].filter((k) => meta[k]).map((k) => [k, meta[k]]));
}

function answer(result: Resource, text: string, headers: Record<string, string>): FhirResult {
  return {
    status: 200,
    headers,
    resource: {
      resourceType: 'Parameters',
      parameter: [
        {
          name: 'outcome',
          resource: {
            resourceType: 'OperationOutcome',
            issue: [{ severity: 'information', code: 'informational', diagnostics: text }],
          },
        },
        { name: 'result', resource: result },
      ],
    } as Resource,
  };
}
