import { isComplexType, isPrimitiveType, isResourceType } from '../../model/type-info.ts';
import type { ReferenceEntry } from '../types.ts';
import type { ElementNode } from './node.ts';

const LITERAL = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const CANONICAL_TYPES = new Set(['canonical', 'uri', 'url']);
// Reference.type is a URI; bare names are relative to this base (R4 Reference.type definition).
const STRUCTURE_DEFINITION = 'http://hl7.org/fhir/StructureDefinition/';

type Rec = Record<string, unknown>;

/** Reference index entries for one element of a stored resource; `type` undefined: read the JSON shape. */
export function referenceEntries(node: ElementNode): ReferenceEntry[] {
  const { type, value } = node;
  if (type !== undefined && (isPrimitiveType(type) || isComplexType(type))) {
    if (type === 'Reference') return isRecord(value) ? fromReference(value) : [];
    if (CANONICAL_TYPES.has(type)) return typeof value === 'string' ? fromCanonical(value) : [];
    if (type !== 'string') return [];
  } else if (isRecord(value)) {
    return fromReference(value);
  }
  if (typeof value !== 'string') return [];
  // A bare string (Reference.reference itself, or an untyped value) may be either kind.
  return LITERAL.test(value) || value.startsWith('#') ? fromLiteral(value) : fromCanonical(value);
}

function fromReference(ref: Rec): ReferenceEntry[] {
  const entries = typeof ref.reference === 'string' ? fromLiteral(ref.reference) : [];
  const identifier = isRecord(ref.identifier) ? ref.identifier : {};
  const identSystem = text(identifier.system);
  const identValue = text(identifier.value);
  if (identSystem !== null || identValue !== null) {
    // Without Reference.type the literal reference says what the identifier identifies.
    const type = targetType(ref.type) ?? entries[0]?.targetType ?? null;
    entries.push({ targetType: type, targetId: null, url: null, identSystem, identValue });
  }
  return entries;
}

/** Reference.reference: `Type/id[/_history/n]`, a local `#id` (nothing to index), or any other URL. */
function fromLiteral(reference: string): ReferenceEntry[] {
  if (reference === '' || reference.startsWith('#')) return [];
  const m = LITERAL.exec(reference);
  if (m && isResourceType(m[1]!)) return [{ targetType: m[1]!, targetId: m[2]!, url: null }];
  return [{ targetType: null, targetId: null, url: reference }];
}

/** A canonical's `|version` is indexed apart, so that `url` matches every version. */
function fromCanonical(value: string): ReferenceEntry[] {
  if (value === '') return [];
  const bar = value.lastIndexOf('|');
  const url = bar < 0 ? value : value.slice(0, bar);
  const version = bar < 0 ? null : value.slice(bar + 1) || null;
  return url === '' ? [] : [{ targetType: null, targetId: null, url, version }];
}

function targetType(type: unknown): string | null {
  if (typeof type !== 'string') return null;
  const name = type.startsWith(STRUCTURE_DEFINITION) ? type.slice(STRUCTURE_DEFINITION.length) : type;
  return isResourceType(name) ? name : null;
}

/** A non-empty string, else null. */
function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
