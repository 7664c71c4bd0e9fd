import type { RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import type { CollectiveDirectory, Json } from './directory.ts';

/** The `zrn` an operation names, as a Practitioner; refused when missing or unknown. */
export async function caregiverByZrn(
  ctx: RestContext,
  directory: CollectiveDirectory,
  zrn: string | undefined,
  operation: string,
): Promise<Json & { id: string }> {
  if (!zrn) {
    refuse(ctx.language, 400, 'required', {
      en: `${operation} needs 'zrn': the caregiver's ZRN`,
      nl: `${operation} heeft 'zrn' nodig: het ZRN van de zorgverlener`,
    });
  }
  const practitioner = await directory.practitionerByZrn(zrn);
  if (!practitioner) {
    refuse(ctx.language, 422, 'not-found', {
      en: `No caregiver has ZRN ${zrn}. A ZRN is case-sensitive: check capitals and small letters, or search the caregiver by name`,
      nl: `Geen zorgverlener heeft ZRN ${zrn}. Een ZRN is hoofdlettergevoelig: controleer hoofdletters en kleine letters, of zoek de zorgverlener op naam`,
    });
  }
  return practitioner as Json & { id: string };
}
