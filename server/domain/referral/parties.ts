import { loadCurrent } from '../../fhir/rest/read.ts';
import type { RestContext } from '../../fhir/rest/types.ts';
import { FhirError } from '../../fhir/errors.ts';

type Json = Record<string, unknown>;
type Ref = { reference?: string } | undefined;

const parse = (v: { content?: string | null }): Json => JSON.parse(v.content ?? '{}') as Json;

/** A referenced resource as the caller may read it, or undefined when they may not (or it is gone). */
export async function readAs(ctx: RestContext, ref: Ref, types: string[]): Promise<Json | undefined> {
  const [type, id] = (ref?.reference ?? '').split('/');
  if (!type || !id || !types.includes(type)) return undefined;
  try {
    return parse(await loadCurrent(ctx, type, id));
  } catch (err) {
    if (err instanceof FhirError && (err.status === 404 || err.status === 410 || err.status === 403))
      return undefined;
    throw err;
  }
}

/** Who a referral is from and to, as the messages about it name them. */
export interface ReferralParties {
  requester?: Json;
  requesterOrganization?: Json;
  receiverOrganization?: Json;
}

/**
 * The referrer (ServiceRequest.requester: a Practitioner — and the organisation they work at,
 * when it is one —, a PractitionerRole — its practitioner and organisation — or an Organization) and the receiving organisation (the first performer
 * that is an Organization, or a PractitionerRole's organisation), each read as the caller.
 */
export async function partiesOf(
  ctx: RestContext,
  serviceRequest: Json,
  rolesAt: (practitionerId: string) => Promise<Json[]>,
): Promise<ReferralParties> {
  const out: ReferralParties = {};
  const requester = await readAs(ctx, serviceRequest.requester as Ref, [
    'Practitioner',
    'PractitionerRole',
    'Organization',
  ]);
  if (requester?.resourceType === 'Organization') out.requesterOrganization = requester;
  else if (requester?.resourceType === 'Practitioner') {
    out.requester = requester;
    // A practitioner working at one organisation refers for it; at several, the reference does not say which.
    const organizations = [
      ...new Set((await rolesAt(requester.id as string)).map((r) => (r.organization as Ref)?.reference)),
    ].filter(Boolean);
    if (organizations.length === 1) {
      const organization = await readAs(ctx, { reference: organizations[0] }, ['Organization']);
      if (organization) out.requesterOrganization = organization;
    }
  } else if (requester?.resourceType === 'PractitionerRole') {
    const practitioner = await readAs(ctx, requester.practitioner as Ref, ['Practitioner']);
    const organization = await readAs(ctx, requester.organization as Ref, ['Organization']);
    if (practitioner) out.requester = practitioner;
    if (organization) out.requesterOrganization = organization;
  }
  for (const performer of (serviceRequest.performer ?? []) as Ref[]) {
    const found = await readAs(ctx, performer, ['Organization', 'PractitionerRole']);
    const organization =
      found?.resourceType === 'PractitionerRole'
        ? await readAs(ctx, found.organization as Ref, ['Organization'])
        : found;
    if (organization) {
      out.receiverOrganization = organization;
      break;
    }
  }
  return out;
}
