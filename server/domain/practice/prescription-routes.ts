import type { Route } from '../../fhir/rest/routes.ts';
import { decideRepeat } from './decide-repeat.ts';
import type { PracticeDeps } from './deps.ts';
import { reminderSweep, startReminderJob } from './medication-reminders.ts';
import { requestRepeat } from './request-repeat.ts';
import { sendReminders } from './send-reminders.ts';

const DEFINITION = 'https://zorgpoort.nl/fhir/OperationDefinition/';

/**
 * Repeat prescriptions (seed 004, "Receptservice"): the patient's request, the practice's
 * decision, and the reminders that a medication runs out — a periodic job, started here when the
 * server hands over its job queue, and the operation that runs it now.
 */
export function prescriptionRoutes(deps: PracticeDeps): Route[] {
  const sweep = reminderSweep(deps);
  if (deps.jobs) {
    const { queue, logger } = deps.jobs;
    startReminderJob(queue, logger, sweep, deps.config.requests.reminderIntervalSeconds).catch(
      (err: unknown) => logger.error({ err }, 'medication reminders: the job did not start'),
    );
  }
  const request = requestRepeat(deps);
  const decide = decideRepeat(deps);
  const remind = sendReminders(sweep);
  return [
    {
      method: 'POST',
      pattern: ['type', 'id', '$request-repeat'],
      types: ['MedicationRequest'],
      interaction: '$request-repeat',
      level: 'instance',
      definition: `${DEFINITION}MedicationRequest-request-repeat`,
      handle: (ctx, req, m) => request(ctx, m.id, req),
    },
    {
      method: 'POST',
      pattern: ['type', 'id', '$decide-repeat'],
      types: ['Task'],
      interaction: '$decide-repeat',
      level: 'instance',
      definition: `${DEFINITION}Task-decide-repeat`,
      handle: (ctx, req, m) => decide(ctx, m.id, req),
    },
    {
      method: 'POST',
      pattern: ['type', '$send-reminders'],
      types: ['MedicationRequest'],
      interaction: '$send-reminders',
      level: 'type',
      definition: `${DEFINITION}MedicationRequest-send-reminders`,
      handle: (ctx) => remind(ctx),
    },
  ];
}
