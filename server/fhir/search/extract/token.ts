import { isComplexType, isPrimitiveType, primitiveJsonKind } from '../../model/type-info.ts';
import type { TokenEntry } from '../types.ts';
import type { ElementNode } from './node.ts';
import { normalizeText } from '../values/normalize.ts';

type Rec = Record<string, unknown>;

/** Token index entries for one element of a stored resource; `type` undefined: read the JSON shape. */
export function tokenEntries(node: ElementNode): TokenEntry[] {
  const { value } = node;
  switch (kindOf(node.type, value)) {
    case 'Coding':
      return isRecord(value) ? codingEntries(value, null) : [];
    case 'CodeableConcept':
      return isRecord(value) ? conceptEntries(value) : [];
    case 'Identifier':
      return isRecord(value) ? identifierEntries(value) : [];
    case 'ContactPoint':
      return isRecord(value) && text(value.value) !== null
        ? [{ system: text(value.system), code: text(value.value), text: null }]
        : [];
    case 'boolean':
      return value === true || value === 'true' || value === false || value === 'false'
        ? [{ system: null, code: String(value), text: null }]
        : [];
    case 'code':
      return typeof value === 'string' && value !== '' ? [{ system: null, code: value, text: null }] : [];
    default:
      return [];
  }
}

type Kind = 'Coding' | 'CodeableConcept' | 'Identifier' | 'ContactPoint' | 'boolean' | 'code' | 'none';

function kindOf(type: string | undefined, value: unknown): Kind {
  if (type !== undefined && (isPrimitiveType(type) || isComplexType(type))) {
    if (type === 'Coding' || type === 'CodeableConcept' || type === 'Identifier' || type === 'ContactPoint')
      return type;
    if (type === 'boolean') return 'boolean';
    return primitiveJsonKind(type) === 'string' ? 'code' : 'none';
  }
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'code';
  if (!isRecord(value)) return 'none';
  if ('coding' in value) return 'CodeableConcept';
  if ('code' in value || 'display' in value) return 'Coding';
  // An Identifier and a ContactPoint give the same entry from system and value.
  if ('value' in value) return 'Identifier';
  if ('text' in value) return 'CodeableConcept';
  return 'none';
}

function codingEntries(coding: Rec, fallbackText: string | null): TokenEntry[] {
  const system = text(coding.system);
  const code = text(coding.code);
  const display = text(coding.display);
  const label = display === null ? fallbackText : normalizeText(display);
  return system === null && code === null && label === null ? [] : [{ system, code, text: label }];
}

function conceptEntries(concept: Rec): TokenEntry[] {
  const conceptText = text(concept.text);
  const normText = conceptText === null ? null : normalizeText(conceptText);
  const entries = records(concept.coding).flatMap((c) => codingEntries(c, normText));
  // `:text` searches CodeableConcept.text too, which a coding with its own display does not carry.
  if (normText !== null && !entries.some((e) => e.text === normText)) {
    entries.push({ system: null, code: null, text: normText });
  }
  return entries;
}

function identifierEntries(identifier: Rec): TokenEntry[] {
  const system = text(identifier.system);
  const code = text(identifier.value);
  const type = isRecord(identifier.type) ? identifier.type : {};
  const typeText = text(type.text);
  const label = typeText === null ? null : normalizeText(typeText);
  if (system === null && code === null && label === null) return [];
  const typeCodings = records(type.coding).filter((c) => text(c.system) !== null || text(c.code) !== null);
  if (typeCodings.length === 0) return [{ system, code, text: label, typeSystem: null, typeCode: null }];
  return typeCodings.map((c) => ({
    system,
    code,
    text: label,
    typeSystem: text(c.system),
    typeCode: text(c.code),
  }));
}

/** A non-empty string, else null. */
function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function records(v: unknown): Rec[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
