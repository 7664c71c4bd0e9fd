import { FhirError } from '../../fhir/errors.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import type { Identifier } from './merge-identifiers.ts';

/** One side of a merge, as the caller names it: a reference, identifiers, or both (they must agree). */
export interface MergeSide {
  name: 'source-patient' | 'target-patient';
  id?: string;
  identifiers: Identifier[];
}

export interface MergeInput {
  source: MergeSide;
  target: MergeSide;
  /** The survivor as it is to be (`result-patient`): its demographics replace the target's. */
  result?: Resource;
  preview: boolean;
}

type Parameter = {
  name?: unknown;
  valueReference?: { reference?: unknown };
  valueIdentifier?: Identifier;
  valueBoolean?: unknown;
  resource?: Resource;
};

const bad = (text: string, expression?: string): never => {
  throw new FhirError(400, [
    {
      severity: 'error',
      code: 'invalid',
      diagnostics: `$merge: ${text}`,
      ...(expression ? { expression: [expression] } : {}),
    },
  ]);
};

const KNOWN = new Set([
  'source-patient',
  'source-patient-identifier',
  'target-patient',
  'target-patient-identifier',
  'result-patient',
  'preview',
]);

/**
 * The `Parameters` of `Patient/$merge` (the R5/HAPI operation): `source-patient` and
 * `target-patient` as references, or `…-identifier` (repeating; a patient found by any of them,
 * as an HL7 v2 PID or MRG names one), `result-patient`, `preview`. An unknown parameter is
 * refused: ignoring one (`delete-source`, say) would do something else than was asked.
 */
export function readMergeInput(body: unknown): MergeInput {
  const p = body as { resourceType?: unknown; parameter?: unknown } | undefined;
  if (p?.resourceType !== 'Parameters' || !Array.isArray(p.parameter)) {
    bad('the body must be a Parameters resource');
  }
  const list = (p!.parameter as Parameter[]).filter((x) => x && typeof x === 'object');
  list.forEach((x, i) => {
    if (typeof x.name !== 'string' || !KNOWN.has(x.name)) {
      bad(
        `parameter '${String(x.name)}' is not known (known: ${[...KNOWN].join(', ')})`,
        `Parameters.parameter[${i}].name`,
      );
    }
  });
  const named = (name: string) => list.filter((x) => x.name === name);
  const side = (name: MergeSide['name']): MergeSide => {
    const refs = named(name);
    if (refs.length > 1) bad(`'${name}' may be given once`);
    const ref = refs[0]?.valueReference?.reference;
    let id: string | undefined;
    if (refs.length) {
      const m = typeof ref === 'string' ? /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(ref) : null;
      if (!m) bad(`'${name}' must be a valueReference 'Patient/[id]'`);
      id = m![1];
    }
    const identifiers = named(`${name}-identifier`).map((x) => {
      const v = x.valueIdentifier;
      if (!v || typeof v.system !== 'string' || typeof v.value !== 'string' || !v.value) {
        bad(`'${name}-identifier' must be a valueIdentifier with a system and a value`);
      }
      return v!;
    });
    if (!id && identifiers.length === 0) bad(`'${name}' or '${name}-identifier' is required`);
    return { name, ...(id ? { id } : {}), identifiers };
  };
  const results = named('result-patient');
  if (results.length > 1) bad("'result-patient' may be given once");
  const result = results[0]?.resource;
  if (results.length && result?.resourceType !== 'Patient')
    bad("'result-patient' must be a Patient resource");
  const preview = named('preview')[0]?.valueBoolean;
  if (preview !== undefined && typeof preview !== 'boolean') bad("'preview' must be a valueBoolean");
  return {
    source: side('source-patient'),
    target: side('target-patient'),
    ...(result ? { result } : {}),
    preview: preview === true,
  };
}
