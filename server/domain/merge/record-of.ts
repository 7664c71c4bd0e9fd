import { searchAll } from '../search-all.ts';
import type { RestContext } from '../../fhir/rest/types.ts';
import type { StoredVersion } from '../../fhir/storage/types.ts';

/**
 * Every current resource of a patient's compartment (`Patient/[id]/*`, as `ctx.store` sees it),
 * but the patients named in `except`. All pages are read before anything is changed: a row
 * repointed meanwhile would leave the compartment and move the pages under the cursor.
 */
export async function recordOf(
  ctx: RestContext,
  patientId: string,
  except: string[],
): Promise<StoredVersion[]> {
  const rows = await searchAll(ctx, { compartment: { resourceType: 'Patient', id: patientId } });
  return rows.filter((row) => !(row.resourceType === 'Patient' && except.includes(row.id)));
}
