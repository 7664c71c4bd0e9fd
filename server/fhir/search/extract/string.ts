import { isComplexType, isPrimitiveType, primitiveJsonKind } from '../../model/type-info.ts';
import type { StringEntry } from '../types.ts';
import type { ElementNode } from './node.ts';
import { normalizeText } from '../values/normalize.ts';

const HUMAN_NAME = ['family', 'given', 'prefix', 'suffix', 'text'];
const ADDRESS = ['line', 'city', 'district', 'state', 'postalCode', 'country', 'text'];
// Searching inside these would only ever match by accident.
const UNSEARCHABLE = new Set(['base64Binary', 'xhtml']);

/** String index entries for one element of a stored resource; `type` undefined: read the JSON shape. */
export function stringEntries(node: ElementNode): StringEntry[] {
  const unique = new Set(texts(node.type, node.value).filter((s) => s !== ''));
  return [...unique].map((exact) => ({ norm: normalizeText(exact), exact }));
}

function texts(type: string | undefined, value: unknown): string[] {
  if (type === 'HumanName') return parts(value, HUMAN_NAME);
  if (type === 'Address') return parts(value, ADDRESS);
  if (type !== undefined && (isPrimitiveType(type) || isComplexType(type))) {
    const indexable = primitiveJsonKind(type) === 'string' && !UNSEARCHABLE.has(type);
    return indexable && typeof value === 'string' ? [value] : [];
  }
  if (typeof value === 'string') return [value];
  if (!isRecord(value)) return [];
  if ('family' in value || 'given' in value) return parts(value, HUMAN_NAME);
  if (ADDRESS.some((key) => key !== 'text' && key in value)) return parts(value, ADDRESS);
  return [];
}

/** The listed string elements, repeating or not; nulls (FHIR JSON's extension placeholders) skipped. */
function parts(value: unknown, keys: string[]): string[] {
  if (!isRecord(value)) return [];
  return keys.flatMap((key) => {
    const v = value[key];
    return (Array.isArray(v) ? v : [v]).filter((s): s is string => typeof s === 'string');
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
