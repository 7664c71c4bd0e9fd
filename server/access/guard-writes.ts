import { FhirError } from '../fhir/errors.ts';
import type { ResourceStore } from '../fhir/storage/resource-store.ts';
import type { Resource, StoredVersion } from '../fhir/storage/types.ts';
import type { AccessPolicy } from './policy.ts';

function refuse(access: AccessPolicy, resourceType: string, id: string): never {
  throw new FhirError(403, `${access.describe} may not write ${resourceType}/${id}`, { code: 'forbidden' });
}

function replaceable(access: AccessPolicy, current: StoredVersion | undefined): boolean {
  if (!current?.content) return true;
  return access.canWrite(JSON.parse(current.content) as Resource);
}

/**
 * The write side of a policy, at the one place every write passes: create, update, patch,
 * delete and each Bundle entry all end in `insertNew` or `write` on the store, so checking
 * there cannot be bypassed by a new interaction. Both the new content and the version it
 * replaces must be writable. A Proxy keeps the store's other methods as they are.
 */
export function guardWrites(store: ResourceStore, access: AccessPolicy): ResourceStore {
  if (!access.restricted) return store;
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'insertNew') {
        return (items: Parameters<ResourceStore['insertNew']>[0]) => {
          for (const it of items) {
            if (!access.canWrite({ ...it.resource, id: it.id })) refuse(access, it.resourceType, it.id);
          }
          return target.insertNew(items);
        };
      }
      if (prop === 'write') {
        return (change: Parameters<ResourceStore['write']>[0], current: StoredVersion | undefined) => {
          const content = change.resource && { ...change.resource, id: change.id };
          if (!replaceable(access, current) || (content && !access.canWrite(content))) {
            refuse(access, change.resourceType, change.id);
          }
          return target.write(change, current);
        };
      }
      if (prop === 'transaction') {
        return <T>(fn: (tx: ResourceStore) => Promise<T>) =>
          target.transaction((tx) => fn(guardWrites(tx, access)));
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
