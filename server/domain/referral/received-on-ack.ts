import type { AuthorizedStore } from '../../access/authorized-store.ts';
import type { SearchEngine } from '../../fhir/search/engine.ts';
import type { OutboxMessage } from '../../fhir/storage/hl7-outbox.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import type { Mailer } from '../../jobs/mail.ts';
import { mailReferrer, sidesOf } from './referral-status.ts';

type Json = Record<string, unknown>;

/**
 * When the receiver's HIS acknowledges a referral's `ORU^R01` with `AA`, the referral's Task
 * (`focus` the ServiceRequest the message was made from) that is still `requested` becomes
 * `received`: the HIS has it. Written by the server (the store it is given has no policy but
 * keeps the write hooks, so the referrer's Subscriptions hear of it), and the referring function's
 * correspondence e-mail hears of it as of any status change; a Task already further along is
 * left as it is.
 */
export function receivedOnAck(deps: {
  serverStore: () => AuthorizedStore;
  search: SearchEngine;
  mailer: Mailer;
}) {
  return async (message: OutboxMessage): Promise<void> => {
    if (message.messageType !== 'ORU^R01') return;
    const store = deps.serverStore();
    await store.transaction(async (tx, raw) => {
      const logged = await raw.hl7.get(message.id);
      const requests = (logged?.resources ?? []).filter((r) => r.startsWith('ServiceRequest/'));
      for (const request of requests) {
        const tasks = await raw.search.page({
          types: [
            {
              resourceType: 'Task',
              condition: deps.search.criteria(
                'Task',
                `focus=${encodeURIComponent(request)}&status=requested`,
                '',
              ).condition,
            },
          ],
          sort: [],
          limit: 10,
        });
        for (const found of tasks) {
          const current = await raw.readForUpdate('Task', found.id);
          const task = current?.content ? (JSON.parse(current.content) as Json) : undefined;
          if (!task || task.status !== 'requested') continue;
          await tx.write(
            {
              resourceType: 'Task',
              id: found.id,
              method: 'PUT',
              resource: {
                ...task,
                status: 'received',
                lastModified: new Date().toISOString(),
              } as unknown as Resource,
            },
            current,
          );
          const focus = await raw.read('ServiceRequest', request.slice('ServiceRequest/'.length));
          const serviceRequest = focus?.content ? (JSON.parse(focus.content) as Json) : undefined;
          if (serviceRequest) {
            const sides = await sidesOf(raw, task, serviceRequest);
            await mailReferrer(raw, deps.mailer, sides, serviceRequest, found.id, 'received');
          }
        }
      }
    });
  };
}
