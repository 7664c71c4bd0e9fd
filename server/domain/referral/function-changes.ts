import type { AuthorizedStore } from '../../access/authorized-store.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { ResourceStore } from '../../fhir/storage/resource-store.ts';
import { refuse } from '../language.ts';
import type { AccountDeps } from './account-deps.ts';
import { current, functionOf, type Json } from './function-roles.ts';

/** The writes of one accounts operation: read locked, written as the caller (logged as theirs). */
export interface FunctionChanges {
  /** The current resource, row-locked until the transaction ends. */
  locked(type: string, id: string): Promise<Json | undefined>;
  put(resource: Json): Promise<void>;
  raw: ResourceStore;
}

/**
 * Runs `fn` in one transaction of the server's store, its writes made for the caller by the
 * operation's own rule (the directory rule lets no person's login write a PractitionerRole).
 */
export async function changeFunctions<T>(
  ctx: RestContext,
  deps: Pick<AccountDeps, 'store'>,
  fn: (changes: FunctionChanges) => Promise<T>,
): Promise<T> {
  return deps.store.transaction(async (tx) => {
    const writer: AuthorizedStore = ctx.store.onBehalf(tx);
    return fn({
      raw: tx,
      async locked(type, id) {
        const v = await tx.readForUpdate(type, id);
        return v?.content ? (JSON.parse(v.content) as Json) : undefined;
      },
      async put(resource) {
        const id = resource.id as string;
        const before = await tx.read(resource.resourceType as string, id);
        const { meta, ...body } = resource;
        await writer.write(
          {
            method: 'PUT',
            resourceType: resource.resourceType as string,
            id,
            resource: { ...body, ...(meta?.tag ? { meta: { tag: meta.tag } } : {}) } as never,
          },
          before,
        );
      },
    });
  });
}

/** A platform function (a PractitionerRole with a `referral-function` code), or 404. */
export async function functionRole(
  ctx: RestContext,
  deps: Pick<AccountDeps, 'store'>,
  id: string,
): Promise<Json> {
  const role = await current(deps.store, 'PractitionerRole', id);
  if (!role || !functionOf(role)) {
    refuse(ctx.language, 404, 'not-found', {
      en: `PractitionerRole/${id} is no function on this platform`,
      nl: `PractitionerRole/${id} is geen functie op dit platform`,
    });
  }
  return role;
}

export const ok = (resource: Json): FhirResult => ({
  status: 200,
  headers: {},
  resource: resource as FhirResult['resource'],
});
