/**
 * The HL7 example scripts assert with XPath over the XML form (`fhir:Patient/fhir:name/
 * fhir:family/@value`). Plain child steps of that kind mean the same as a FHIRPath path, so
 * they are translated; anything else (predicates, axes, functions) returns undefined and the
 * assert is skipped with that reason.
 */
const STEP = /^fhir:([A-Za-z][A-Za-z0-9]*)$/;

export function xpathToFhirPath(xpath: string): string | undefined {
  const steps = xpath.replace(/^\/+/, '').split('/');
  const last = steps[steps.length - 1];
  if (last === '@value') steps.pop();
  else if (last?.startsWith('@')) return undefined;
  const names: string[] = [];
  for (const step of steps) {
    const m = STEP.exec(step);
    if (!m) return undefined;
    names.push(m[1]!);
  }
  return names.length ? names.join('.') : undefined;
}
