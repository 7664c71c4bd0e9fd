/**
 * Resource types that hold no one's health data: the directory of care (who and where),
 * products, and definitions. A patient may read them; every other type outside the Patient
 * compartment (Bundle, Binary, Linkage, MessageHeader, …; Task is in it by our addition) stays denied until a rule
 * says whose it is.
 */
export const SHARED_TYPES: ReadonlySet<string> = new Set([
  'Organization',
  'Practitioner',
  'PractitionerRole',
  'Location',
  'HealthcareService',
  'Endpoint',
  'Medication',
  'MedicationKnowledge',
  'Substance',
  'StructureDefinition',
  'ValueSet',
  'CodeSystem',
  'ConceptMap',
  'NamingSystem',
  'SearchParameter',
  'OperationDefinition',
  'CapabilityStatement',
  'CompartmentDefinition',
  'Questionnaire',
]);
