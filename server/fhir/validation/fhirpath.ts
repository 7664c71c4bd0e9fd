/** Builds FHIRPath locations such as `Patient.name[0].given[1]` for OperationOutcome.issue.expression. */

/** `_birthDate` carries the id/extensions of `birthDate`; FHIRPath addresses both as `birthDate`. */
export function elementName(key: string): string {
  // FHIR element names never start with '_', so only a single leading one marks the twin.
  return /^_[^_]/.test(key) ? key.slice(1) : key;
}

export function childPath(base: string, key: string): string {
  return `${base}.${elementName(key)}`;
}

export function indexPath(base: string, index: number): string {
  return `${base}[${index}]`;
}

/** Converts a JSON Pointer (ajv's `instancePath`, e.g. `/name/0/given/1`) relative to `base`. */
export function pointerToFhirPath(base: string, pointer: string): string {
  if (pointer === '') return base;
  let path = base;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    // FHIR element names never start with a digit, so a numeric segment is always an array index.
    path = /^\d+$/.test(segment) ? indexPath(path, Number(segment)) : childPath(path, segment);
  }
  return path;
}
