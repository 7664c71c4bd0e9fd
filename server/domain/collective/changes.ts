import { randomUUID } from 'node:crypto';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { parseFhirJson } from '../../fhir/format/json.ts';
import type { CollectiveRecords } from '../../fhir/storage/collective-records.ts';
import type { ResourceStore } from '../../fhir/storage/resource-store.ts';
import type { SearchEngine } from '../../fhir/search/engine.ts';
import type { Mail, Mailer } from '../../jobs/mail.ts';
import { createCollectiveDirectory, type CollectiveDirectory, type Json } from './directory.ts';
import { COLLECTIVE_TAG_SYSTEM } from './vocabulary.ts';

/** The writes of one collective operation, in one transaction, each logged as the caller's. */
export interface Changes {
  create(resource: Json): Promise<Json>;
  /** The resource as it is now, locked until the transaction ends; undefined when gone. */
  current(resourceType: string, id: string): Promise<Json | undefined>;
  update(resource: Json): Promise<Json>;
  records: CollectiveRecords;
  /** Reads inside the transaction (the embedded database has one connection: never read beside it). */
  directory: CollectiveDirectory;
  /** Puts a mail in the outbox with this change: it is sent if, and only if, the change commits. */
  mail(mail: Mail): Promise<void>;
}

/** What an operation is built from. */
export interface CollectiveDeps {
  store: ResourceStore;
  search: SearchEngine;
  directory: CollectiveDirectory;
  mailer: Mailer;
}

/**
 * Runs `fn` in one transaction, serialised with every other change to the same collective (so
 * two beheerders cannot, between them, remove a group's last member and the caregiver at once).
 */
export async function changeCollective<T>(
  ctx: RestContext,
  deps: Pick<CollectiveDeps, 'store' | 'search' | 'mailer'>,
  collectiveId: string,
  fn: (changes: Changes) => Promise<T>,
): Promise<T> {
  return deps.store.transaction(async (tx) => {
    await tx.lock(`zorgpoort:collective:${collectiveId}`);
    const writer = ctx.store.onBehalf(tx);
    return fn({
      records: tx.collective,
      directory: createCollectiveDirectory({ store: tx, search: deps.search }),
      mail: (mail) => deps.mailer.send(tx.jobs, mail),
      async create(resource) {
        const id = (resource.id as string | undefined) ?? randomUUID();
        await writer.insertNew([{ resourceType: resource.resourceType, id, resource: { ...resource, id } }]);
        return { ...resource, id };
      },
      async current(resourceType, id) {
        await tx.lockInOrder([{ resourceType, id }]);
        const v = await tx.read(resourceType, id);
        return v?.content ? (parseFhirJson(v.content) as Json) : undefined;
      },
      async update(resource) {
        const id = resource.id as string;
        const current = await tx.read(resource.resourceType, id);
        const { meta: _meta, ...body } = resource;
        // Keep the tags (the collective's, the custodian's); the store sets version and time.
        const meta = _meta?.tag ? { tag: _meta.tag } : undefined;
        await writer.write(
          {
            method: 'PUT',
            resourceType: resource.resourceType,
            id,
            resource: { ...body, ...(meta ? { meta } : {}) },
          },
          current,
        );
        return resource;
      },
    });
  });
}

/** The meta of a resource the collective manages. */
export const managedBy = (collectiveId: string) => ({
  meta: { tag: [{ system: COLLECTIVE_TAG_SYSTEM, code: collectiveId }] },
});

export const ok = (resource: Json, status = 200): FhirResult => ({
  status,
  headers: {},
  resource: resource as FhirResult['resource'],
});

export function parameters(...parameter: Record<string, unknown>[]): Json {
  // FHIR JSON has no empty arrays: no parameters, no element.
  return { resourceType: 'Parameters', ...(parameter.length ? { parameter } : {}) };
}
