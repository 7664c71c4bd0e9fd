import type { Logger } from 'pino';
import type { JobQueue } from '../../fhir/storage/job-queue.ts';
import type { SearchRow } from '../../fhir/storage/search-queries.ts';
import type { PracticeDeps } from './deps.ts';
import { reminderDue, supplyOf } from './medication-supply.ts';
import { runsOutMail } from './portal-mail.ts';
import { idOf, OPEN_TASK, parse, practiceOf, type Json } from './portal-requests.ts';
import { mailAddressOf } from './patient-mail.ts';

const PAGE = 200;
const PRESCRIBED = new Set(['order', 'original-order', 'reflex-order', 'filler-order', 'instance-order']);
export const REMINDER_QUEUE = 'medication-reminders';

type SweepDeps = Pick<PracticeDeps, 'store' | 'search' | 'mailer' | 'clock' | 'config'>;

const isInpatient = (request: Json) =>
  ((request.category ?? []) as Json[]).some((c) =>
    ((c.coding ?? []) as Json[]).some((x) => x.code === 'inpatient'),
  );

/**
 * One run of the reminders (seed 004: "ontvang herinneringen indien u uw medicatie opnieuw nodig
 * heeft"): every active prescription (not a clinic's inpatient one) whose supply runs out within
 * PRACTICE_REMINDER_DAYS (medication-supply.ts) gets its patient one e-mail, unless the patient
 * asked for a repeat already (an open request), the practice repeated it already (a newer
 * prescription names it as priorPrescription), or the patient has no e-mail address. Each supply
 * is claimed in the table of reminders sent (migration 021) in the transaction that queues its
 * mail, so it is mailed once, however many runs and nodes overlap. Times on the server's clock.
 */
export function reminderSweep(deps: SweepDeps) {
  const where = (type: string, query: string) => deps.search.criteria(type, query, '').condition;
  const rows = (type: string, query: string, limit: number, after?: string): Promise<SearchRow[]> =>
    deps.store.search.page({
      types: [{ resourceType: type, condition: where(type, query) }],
      sort: [],
      limit,
      ...(after ? { keyset: { keys: [], rid: after, direction: 'after' as const } } : {}),
    });

  async function remind(request: Json, now: Date): Promise<'due' | 'sent' | undefined> {
    const patientId = idOf(request.subject, 'Patient');
    if (!patientId || !PRESCRIBED.has(request.intent as string) || isInpatient(request)) return undefined;
    const id = request.id as string;
    const dispenses = (await rows('MedicationDispense', `prescription=MedicationRequest/${id}`, 100)).map(
      (r) => parse(r)!,
    );
    const supply = supplyOf(request, dispenses);
    if (!supply || !reminderDue(supply, now, deps.config.requests.reminderDays)) return undefined;
    if (await deps.store.medicationReminders.sent(supply.key)) return 'due';
    const asked = await rows('Task', `focus=MedicationRequest/${id}&status=${OPEN_TASK.join(',')}`, 1);
    if (asked.length) return 'due';
    const list = await rows('MedicationRequest', `subject=Patient/${patientId}`, 1000);
    if (list.some((r) => idOf(parse(r)?.priorPrescription, 'MedicationRequest') === id)) return 'due';
    const patient = parse(await deps.store.read('Patient', patientId));
    const to = await mailAddressOf(deps.store, deps.search, patientId, patient, now);
    if (!patient || !to) return 'due';
    const practiceId = await practiceOf(deps.store, patient);
    const practice = practiceId ? parse(await deps.store.read('Organization', practiceId)) : undefined;
    const claimed = await deps.store.transaction(async (tx) => {
      const first = await tx.medicationReminders.claim({
        supply: supply.key,
        medicationRequest: `MedicationRequest/${id}`,
        patient: `Patient/${patientId}`,
        runsOut: supply.runsOut,
        sentAt: now,
      });
      if (first) {
        const mail = runsOutMail(to, practice?.name as string | undefined, deps.config.requests.portalUrl);
        await deps.mailer.send(tx.jobs, mail);
      }
      return first;
    });
    return claimed ? 'sent' : 'due';
  }

  /** Runs once over every active prescription; how many were due and how many mails it queued. */
  return async function sweep(): Promise<{ due: number; sent: number }> {
    const now = deps.clock();
    let due = 0;
    let sent = 0;
    let after: string | undefined;
    for (;;) {
      const page = await rows('MedicationRequest', 'status=active', PAGE, after);
      for (const row of page) {
        const result = await remind(parse(row)!, now);
        if (result) due++;
        if (result === 'sent') sent++;
      }
      if (page.length < PAGE) break;
      after = page.at(-1)!.rid;
    }
    return { due, sent };
  };
}

/**
 * The reminders as a periodic job in the job queue: one job waits at a time (policy `stately`,
 * on every node together); each run first queues the next, PRACTICE_REMINDER_INTERVAL_SECONDS
 * later, then sweeps. A failed run is logged and not retried: the next one comes anyway.
 */
export async function startReminderJob(
  queue: JobQueue,
  logger: Logger,
  sweep: () => Promise<{ due: number; sent: number }>,
  intervalSeconds: number,
): Promise<void> {
  if (intervalSeconds <= 0) return;
  await queue.createQueue(REMINDER_QUEUE, { policy: 'stately', retryLimit: 0 });
  const next = () => queue.send(REMINDER_QUEUE, {}, { startAfter: intervalSeconds });
  await queue.work(
    REMINDER_QUEUE,
    { pollingIntervalSeconds: Math.max(1, Math.min(30, intervalSeconds)) },
    async () => {
      await next();
      try {
        const done = await sweep();
        if (done.sent) logger.info(done, 'medication reminders sent');
      } catch (err) {
        logger.error({ err }, 'medication reminders');
      }
    },
  );
  await next();
}
