import { FhirError } from '../fhir/errors.ts';
import type { ResourceStore } from '../fhir/storage/resource-store.ts';
import type { Resource, StoredVersion } from '../fhir/storage/types.ts';
import type { AccessPolicy, WriteLetter } from './policy.ts';

const VERB: Record<WriteLetter, string> = { c: 'create', u: 'update', d: 'delete' };

function refuse(access: AccessPolicy, resourceType: string, id: string, letter?: WriteLetter): never {
  const verb = letter ? VERB[letter] : 'write';
  throw new FhirError(403, `${access.describe} may not ${verb} ${resourceType}/${id}`, { code: 'forbidden' });
}

function replaceable(access: AccessPolicy, current: StoredVersion | undefined, letter: WriteLetter): boolean {
  if (!current?.content) return true;
  return access.canWrite(JSON.parse(current.content) as Resource, letter);
}

/**
 * For interactions that answer from the current version before writing: a version the caller
 * may not replace is refused first, and with `answersFromCurrent` (If-Match compares its
 * version) so is one they may not see, so a 412 cannot tell them what exists.
 */
export function assertReplaceable(
  access: AccessPolicy,
  current: StoredVersion | undefined,
  answersFromCurrent: boolean,
): void {
  if (!access.restricted || !current?.content) return;
  const resource = JSON.parse(current.content) as Resource;
  if (!access.canWrite(resource) || (answersFromCurrent && !access.canSee(resource))) {
    refuse(access, current.resourceType, current.id);
  }
}

export function guardWrites(store: ResourceStore, access: AccessPolicy): ResourceStore {
  if (!access.restricted) return store;
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'insertNew') {
        return (items: Parameters<ResourceStore['insertNew']>[0]) => {
          for (const it of items) {
            if (!access.canWrite({ ...it.resource, id: it.id }, 'c'))
              refuse(access, it.resourceType, it.id, 'c');
          }
          return target.insertNew(items);
        };
      }
      if (prop === 'write') {
        return (change: Parameters<ResourceStore['write']>[0], current: StoredVersion | undefined) => {
          const content = change.resource && { ...change.resource, id: change.id };
          // Each side with its own letter: what is replaced or deleted, and what is written.
          const exists = Boolean(current?.content);
          const letter = !content ? 'd' : exists ? 'u' : 'c';
          if (
            !replaceable(access, current, content ? 'u' : 'd') ||
            (content && !access.canWrite(content, letter))
          ) {
            refuse(access, change.resourceType, change.id, letter);
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
