import type { Condition } from '../../fhir/search/types.ts';
import type { RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { say } from '../language.ts';

/** The most hidden matches offered per search: enough for a household, too few to trawl. */
export const MAX_OFFERS = 10;

export const OFFER_EXTENSION = 'https://zorgpoort.nl/fhir/StructureDefinition/break-the-glass-patient';

/** The portal's words (seed 002, 2.1.1), and ours in English. */
const OFFER = {
  nl:
    'In onze zorginstelling is geen behandelrelatie bekend tussen u en deze patiënt. ' +
    'Als u de gegevens van deze patiënt toch wilt inzien, dan zal dit worden gelogd en gemeld aan de patiënt. ' +
    'Waarom wilt u dit dossier bekijken?',
  en:
    'Our institution knows of no treatment relationship between you and this patient. ' +
    'If you still want to see this patient’s data, this will be logged and reported to the patient. ' +
    'Why do you want to see this record?',
};

/**
 * For a caller who may break the glass (a GP out-of-hours post): the patients that match the
 * criteria but are hidden from them, each as an OperationOutcome entry naming only
 * `Patient/<id>` and how to open it (`POST Patient/<id>/$break-the-glass` with a reason), at
 * most MAX_OFFERS. Nobody else learns of hidden patients (the store answers none).
 *
 * Each offer is in that patient's access log (interaction `$portal-search`, outcome 4 with the
 * reason): it tells the caller that a person matching these criteria is known here, which is a
 * disclosure however small.
 */
export async function breakTheGlassOffers(ctx: RestContext, condition: Condition): Promise<object[]> {
  const ids = await ctx.store.hiddenPatients(condition, MAX_OFFERS);
  if (!ids.length) return [];
  // Logged as not granted (outcome 4, like the read of a hidden patient), so it is told apart
  // from a disclosure of data, and a later list of recent patients does not count it as opened.
  ctx.audit?.record({
    interaction: '$portal-search',
    resourceType: 'Patient',
    status: 404,
    failure:
      'Matched the search but not shown (no treatment relationship or consent): only its id was ' +
      'given, with the offer to open it by break-the-glass',
    resources: ids.map((id) => ({ resourceType: 'Patient', id }) as Resource),
  });
  return ids.map((id) => ({
    resource: {
      resourceType: 'OperationOutcome',
      issue: [
        {
          extension: [{ url: OFFER_EXTENSION, valueReference: { reference: `Patient/${id}` } }],
          severity: 'information',
          code: 'suppressed',
          details: { text: say(ctx.language, OFFER) },
          diagnostics: say(ctx.language, {
            en: `Patient/${id}: to open it, POST Patient/${id}/$break-the-glass with a Parameters 'reason' (valueString)`,
            nl: `Patient/${id}: openen met POST Patient/${id}/$break-the-glass met een Parameters 'reason' (valueString)`,
          }),
        },
      ],
    },
    search: { mode: 'outcome' },
  }));
}
