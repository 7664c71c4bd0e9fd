export { applyJsonPatch } from './json-patch.ts';
export { applyFhirPathPatch } from './fhirpath-patch.ts';
