/**
 * Trims generated snapshots to what profile validation reads, so the committed file stays small:
 * documentation (short, definition, comment, mapping, …), `base`, invariants (not evaluated yet)
 * and the types of elements with max 0 are dropped.
 */
import type { ConformanceResource } from './package-cache.ts';

const HEADER_KEYS = [
  'resourceType',
  'id',
  'url',
  'version',
  'name',
  'title',
  'status',
  'fhirVersion',
  'kind',
  'abstract',
  'context',
  'type',
  'baseDefinition',
  'derivation',
];

const ELEMENT_KEYS = new Set([
  'id',
  'path',
  'sliceName',
  'min',
  'max',
  'contentReference',
  'slicing',
  'maxLength',
]);
const ELEMENT_PREFIXES = ['fixed', 'pattern', 'minValue', 'maxValue'];

type Json = Record<string, unknown>;

function compactType(type: Json): Json {
  const out: Json = { code: type.code };
  if (type.profile) out.profile = type.profile;
  if (type.targetProfile) out.targetProfile = type.targetProfile;
  return out;
}

export function compactElement(element: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(element)) {
    if (ELEMENT_KEYS.has(key) || ELEMENT_PREFIXES.some((p) => key.startsWith(p))) out[key] = value;
  }
  // An element that may not occur needs no types (extension value[x] lists all fifty of them).
  if (Array.isArray(element.type) && element.max !== '0')
    out.type = (element.type as Json[]).map(compactType);
  const binding = element.binding as Json | undefined;
  if (binding?.valueSet) out.binding = { strength: binding.strength, valueSet: binding.valueSet };
  return out;
}

export function compactStructureDefinition(sd: ConformanceResource): ConformanceResource {
  const out: Json = {};
  for (const key of HEADER_KEYS) if (sd[key] !== undefined) out[key] = sd[key];
  const snapshot = sd.snapshot as { element: Json[] };
  out.snapshot = { element: snapshot.element.map(compactElement) };
  return out as ConformanceResource;
}
