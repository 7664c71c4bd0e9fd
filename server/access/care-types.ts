import { SHARED_TYPES } from './shared-types.ts';

/**
 * Resource types outside every patient's record that caregivers and care systems read and
 * write freely: the shared directory and products (shared-types.ts) and the definitions of care.
 * Every other type outside the Patient compartment (Binary, Bundle, Group, …; Task is in it by our addition) stays
 * denied to a gated caller until a rule says whose it is.
 */
export const CARE_DIRECTORY_TYPES: ReadonlySet<string> = new Set([
  ...SHARED_TYPES,
  'ActivityDefinition',
  'PlanDefinition',
  'Library',
  'Measure',
  'ObservationDefinition',
  'SpecimenDefinition',
  'EventDefinition',
  'MessageDefinition',
  'GraphDefinition',
  'ImplementationGuide',
  'StructureMap',
  'TerminologyCapabilities',
  'Slot',
]);
