import type { Json } from './json.ts';

/** The five medication categories of the portal (seed 002 §2.4.1), as codes of our CodeSystem. */
export const MEDICATION_CATEGORY_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/portal-medication-category';

export type MedicationCategory = 'active-home' | 'active-clinical' | 'planned' | 'stopped' | 'ended';

export const MEDICATION_CATEGORIES: Record<MedicationCategory, { nl: string; en: string }> = {
  'active-home': { nl: 'Actieve thuismedicatie', en: 'Active home medication' },
  'active-clinical': { nl: 'Actieve klinische medicatie', en: 'Active clinical medication' },
  planned: { nl: 'Geplande medicatie', en: 'Planned medication' },
  stopped: { nl: 'Gestopte medicatie', en: 'Stopped medication' },
  ended: {
    nl: 'Beëindigde medicatie en tot nader order gestopte medicatie',
    en: 'Ended medication and medication stopped until further notice',
  },
};

const STOP_TYPE = 'http://nictiz.nl/fhir/StructureDefinition/ext-StopType';
const PERIOD_OF_USE = 'http://nictiz.nl/fhir/StructureDefinition/ext-TimeInterval.Period';
/** MP9 stop types (SNOMED CT): suspended ("onderbroken"), discontinued ("stopgezet"). */
const SUSPENDED = '385655000';
const DISCONTINUED = '410546004';

const codes = (concept: unknown): string[] =>
  ((concept as { coding?: { code?: string }[] } | undefined)?.coding ?? []).flatMap((c) =>
    typeof c.code === 'string' ? [c.code] : [],
  );

function stopType(r: Json): string | undefined {
  const ext = [...(r.modifierExtension ?? []), ...(r.extension ?? [])].find((e: Json) => e.url === STOP_TYPE);
  return codes(ext?.valueCodeableConcept)[0];
}

/** When the medication is (to be) used: MP9's period of use, else the statement's or the dosage's. */
export function periodOfUse(r: Json): { start?: string; end?: string } {
  const ext = (r.extension ?? []).find((e: Json) => e.url === PERIOD_OF_USE)?.valuePeriod;
  const period =
    ext ??
    r.effectivePeriod ??
    r.dosageInstruction?.[0]?.timing?.repeat?.boundsPeriod ??
    r.dosage?.[0]?.timing?.repeat?.boundsPeriod ??
    r.dispenseRequest?.validityPeriod;
  return { start: period?.start, end: period?.end };
}

const before = (instant: string | undefined, now: Date) =>
  instant !== undefined && !Number.isNaN(Date.parse(instant)) && Date.parse(instant) <= now.getTime();
const after = (instant: string | undefined, now: Date) =>
  instant !== undefined && !Number.isNaN(Date.parse(instant)) && Date.parse(instant) > now.getTime();

/**
 * The category of a MedicationRequest (zib MedicationAgreement) or MedicationStatement (zib
 * MedicationUse), or none for what the portal does not list (entered in error, never started,
 * a draft or a proposal):
 *
 * | category        | rule                                                                                      |
 * | --------------- | ----------------------------------------------------------------------------------------- |
 * | stopped         | MP9 stop type "stopgezet" (410546004), or status `stopped`                               |
 * | ended           | stop type "onderbroken" (385655000), status `on-hold` or `completed`, or an active one whose period of use has ended |
 * | planned         | status `intended`, or active with a period of use that starts after now                  |
 * | active-clinical | active, category `inpatient`                                                              |
 * | active-home     | active, any other category (community, outpatient, discharge, patient-specified, none)   |
 */
export function medicationCategory(r: Json, now: Date): MedicationCategory | undefined {
  if (r.resourceType !== 'MedicationRequest' && r.resourceType !== 'MedicationStatement') return undefined;
  if (
    r.resourceType === 'MedicationRequest' &&
    r.intent !== undefined &&
    !['order', 'original-order', 'reflex-order', 'instance-order', 'plan'].includes(r.intent)
  )
    return undefined;
  const { start, end } = periodOfUse(r);
  // MP9 states a stop ahead of time: the agreement ends at its period's end, in use until then.
  const stop = after(end, now) ? undefined : stopType(r);
  if (stop === DISCONTINUED || r.status === 'stopped') return 'stopped';
  if (stop === SUSPENDED || r.status === 'on-hold' || r.status === 'completed') return 'ended';
  if (r.status === 'intended') return 'planned';
  if (r.status !== 'active') return undefined;
  if (before(end, now)) return 'ended';
  if (after(start, now)) return 'planned';
  const category = (r.category ? (Array.isArray(r.category) ? r.category : [r.category]) : []).flatMap(codes);
  return category.includes('inpatient') ? 'active-clinical' : 'active-home';
}
