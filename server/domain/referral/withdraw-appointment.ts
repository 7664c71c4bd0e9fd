import { FhirError } from '../../fhir/errors.ts';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';

type Send = (ctx: RestContext, id: string, req: FhirRequest) => Promise<FhirResult>;

/**
 * A cancelled referral whose appointment request (SRM^S01) went out is withdrawn (SRM^S04), as
 * the referrer, once the cancel has committed: through `$send-hl7`'s own path (`send`). Nothing
 * asked, or withdrawn since, nothing to withdraw.
 */
export function withdrawAppointment(send: Send) {
  return async (
    ctx: RestContext,
    serviceRequestId: string,
    req: FhirRequest,
  ): Promise<Resource | string | undefined> => {
    const resource = `ServiceRequest/${serviceRequestId}`;
    const [asked, withdrawn] = await ctx.store.transaction((_s, raw) =>
      Promise.all([
        raw.hl7.search({ direction: 'out', resource, messageType: 'SRM^S01', count: 1 }),
        raw.hl7.search({ direction: 'out', resource, messageType: 'SRM^S04', count: 1 }),
      ]),
    );
    const last = asked.find((m) => m.status === 'sent' || m.status === 'queued');
    if (!last || (withdrawn[0] && Number(withdrawn[0].id) > Number(last.id))) return undefined;
    try {
      const body = {
        resourceType: 'Parameters',
        parameter: [
          { name: 'message', valueCode: 'SRM^S04' },
          { name: 'reason', valueString: 'Verwijzing ingetrokken / referral cancelled' },
        ],
      };
      return (await send(ctx, serviceRequestId, { ...req, body })).resource;
    } catch (err) {
      // The cancel stands; the withdrawal's refusal (no destination any more) is the answer's warning.
      if (err instanceof FhirError) return err.message;
      throw err;
    }
  };
}
