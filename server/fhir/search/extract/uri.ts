import { isComplexType, isPrimitiveType } from '../../model/type-info.ts';
import type { UriEntry } from '../types.ts';
import type { ElementNode } from './node.ts';

const URI_TYPES = new Set(['uri', 'url', 'canonical', 'oid', 'uuid', 'string']);

/** Uri index entries for one element of a stored resource; `type` undefined: read the JSON shape. */
export function uriEntries(node: ElementNode): UriEntry[] {
  const { type, value } = node;
  if (type !== undefined && !URI_TYPES.has(type) && (isPrimitiveType(type) || isComplexType(type))) return [];
  return typeof value === 'string' && value !== '' ? [{ uri: value }] : [];
}
