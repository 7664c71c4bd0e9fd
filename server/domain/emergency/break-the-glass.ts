import { randomUUID } from 'node:crypto';
import type { BreakTheGlassConfig } from '../../access/rules/break-the-glass.ts';
import { CUSTODIAN_SYSTEM } from '../../access/rules/treatment-relationship.ts';
import { emergencyOverrideStarted } from '../../audit/security-alert.ts';
import { FhirError } from '../../fhir/errors.ts';
import { EMERGENCY_QUESTION } from '../../fhir/rest/emergency-question.ts';
import { say } from '../language.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { ResourceStore } from '../../fhir/storage/resource-store.ts';
import type { Resource } from '../../fhir/storage/types.ts';

export const BREAK_THE_GLASS_OPERATION =
  'https://zorgpoort.nl/fhir/OperationDefinition/Patient-break-the-glass';

const refuse = (en: string, nl: string): never => {
  throw new FhirError(403, `${en} / ${nl}`, { code: 'forbidden' });
};

function reasonOf(body: unknown): string | undefined {
  const parameters = body as { resourceType?: string; parameter?: { name?: string; valueString?: string }[] };
  if (parameters?.resourceType !== 'Parameters' || !Array.isArray(parameters.parameter)) return undefined;
  const reason = parameters.parameter.find((p) => p?.name === 'reason')?.valueString?.trim();
  return reason ? reason.slice(0, 1000) : undefined;
}

/**
 * `POST Patient/[id]/$break-the-glass` with a `reason`: a caregiver at a place configured for
 * it (a GP out-of-hours post) opens one patient's record for a limited time (default 12 h).
 * The grant, the security-alert AuditEvent and the Communication that tells the patient who,
 * where, when and why are written in one transaction, by the server: the caller could not write
 * them (the patient is not theirs until the grant exists).
 */
export function createBreakTheGlass(deps: {
  store: ResourceStore;
  config: Pick<BreakTheGlassConfig, 'hours'>;
  server: string;
}) {
  const { store, config, server } = deps;
  return async (ctx: RestContext, patientId: string, body: unknown): Promise<FhirResult> => {
    const who = ctx.principal;
    if (who.kind !== 'practitioner') {
      return refuse(
        'Only a caregiver can break the glass',
        'Alleen een zorgverlener kan de noodprocedure gebruiken',
      );
    }
    // The policy knows whether this login may (a clinical role at an allowed place) and for
    // which organisation; only a login for that organisation uses the grant.
    const place = await ctx.store.access.emergencyPlace?.();
    if (!place) {
      return refuse(
        'Emergency access is only for the roles and organisations configured for it (such as a GP out-of-hours post), and where networks are configured only from their network; your login or your address has none of them',
        'De noodprocedure is alleen voor de daarvoor ingestelde rollen en organisaties (zoals een huisartsenpost), en waar netwerken zijn ingesteld alleen vanaf dat netwerk; uw login of uw adres valt daar niet onder',
      );
    }
    const reason = reasonOf(body);
    if (!reason) {
      throw new FhirError(
        403,
        say(ctx.language, {
          en: `${EMERGENCY_QUESTION.en} (a Parameters resource with a 'reason', valueString)`,
          nl: `${EMERGENCY_QUESTION.nl} (een Parameters-resource met 'reason', valueString)`,
        }),
        { code: 'forbidden' },
      );
    }
    const stored = await store.read('Patient', patientId);
    if (!stored || stored.deleted) {
      throw new FhirError(404, `Patient/${patientId} is not known`, { code: 'not-found' });
    }
    const started = new Date();
    const ends = new Date(started.getTime() + config.hours * 3_600_000);
    const alert = emergencyOverrideStarted({
      principal: who,
      patient: patientId,
      organization: place,
      reason,
      endsAt: ends,
      recorded: started,
      server,
    });
    const communication: Resource = {
      resourceType: 'Communication',
      // Held by the place that broke the glass: its reason is not every related caregiver's to read.
      meta: { tag: [{ system: CUSTODIAN_SYSTEM, code: place }] },
      status: 'completed',
      category: [{ text: 'Noodtoegang tot uw dossier / emergency access to your record' }],
      subject: { reference: `Patient/${patientId}` },
      recipient: [{ reference: `Patient/${patientId}` }],
      sender: { reference: `Practitioner/${who.practitionerId}` },
      sent: started.toISOString(),
      reasonCode: [
        {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'BTG' }],
          text: reason,
        },
      ],
      payload: [
        {
          contentString:
            `Practitioner/${who.practitionerId} (Organization/${place}) opened your record ` +
            `in an emergency at ${started.toISOString()}, until ${ends.toISOString()}. Reason: ${reason}` +
            ` / Uw dossier is in een noodsituatie geopend door Practitioner/${who.practitionerId} ` +
            `(Organization/${place}) op ${started.toISOString()}, tot ${ends.toISOString()}. Reden: ${reason}`,
        },
      ],
    };
    const ids = { alert: randomUUID(), communication: randomUUID() };
    await store.transaction(async (tx) => {
      await tx.openEmergency({
        id: randomUUID(),
        practitionerId: who.practitionerId,
        patientId,
        organizationId: place,
        reason,
        startedAt: started.getTime(),
        endsAt: ends.getTime(),
      });
      await tx.insertNew([
        { resourceType: 'AuditEvent', id: ids.alert, resource: alert },
        { resourceType: 'Communication', id: ids.communication, resource: communication },
      ]);
    });
    return {
      status: 200,
      headers: {},
      resource: {
        resourceType: 'Parameters',
        parameter: [
          { name: 'expires', valueInstant: ends.toISOString() },
          { name: 'auditEvent', valueReference: { reference: `AuditEvent/${ids.alert}` } },
          { name: 'communication', valueReference: { reference: `Communication/${ids.communication}` } },
        ],
      },
    };
  };
}
