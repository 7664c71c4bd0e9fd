import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse } from '../language.ts';

/**
 * `POST MedicationRequest/$send-reminders`: the reminder job's run, now (the operator's way to
 * run it at once, and the tests' with a moved clock). It reads every patient's prescriptions, so
 * only the server's own trusted system clients (`clients register --trusted`) may call it.
 * Answers how many supplies were due and how many reminders it queued — no patient data.
 */
export function sendReminders(sweep: () => Promise<{ due: number; sent: number }>) {
  return async (ctx: RestContext): Promise<FhirResult> => {
    const p = ctx.principal;
    if (p.kind !== 'system' || p.trusted !== true) {
      refuse(ctx.language, 403, 'forbidden', {
        en: 'The reminders are sent by the server itself; running them now is for a trusted system client (the operator)',
        nl: 'De herinneringen verstuurt de server zelf; ze nu laten lopen mag alleen een vertrouwd systeem (de beheerder)',
      });
    }
    const { due, sent } = await sweep();
    return {
      status: 200,
      headers: {},
      resource: {
        resourceType: 'Parameters',
        parameter: [
          { name: 'due', valueInteger: due },
          { name: 'sent', valueInteger: sent },
        ],
      } as Resource,
    };
  };
}
