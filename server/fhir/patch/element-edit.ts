import { unprocessable } from '../errors.ts';
import { keepDecimalTexts, setDecimalText } from '../format/json.ts';
import { isObject, type JsonObject } from './fhirpath-patch-document.ts';

/**
 * An element as it is written into FHIR JSON: the value under `key`, and for primitives
 * the id/extension object that lives under `_key`.
 */
export interface ElementValue {
  value: unknown;
  ext?: JsonObject | undefined;
  /** A number's written text (`2.50`), see ../format/json.ts. */
  text?: string | undefined;
}

// FHIR JSON splits a primitive list over `key` and `_key`; every list edit below is
// applied to both arrays so an item's extensions stay at the same index as its value.
interface ListPair {
  values: unknown[];
  exts: unknown[] | undefined;
}

export function listLength(holder: JsonObject, key: string): number {
  return readList(holder, key).values.length;
}

export function removeAt(holder: JsonObject, key: string, index: number | null): void {
  if (index === null) {
    delete holder[key];
    delete holder[`_${key}`];
    return;
  }
  const list = readList(holder, key);
  list.values.splice(index, 1);
  list.exts?.splice(index, 1);
  writeList(holder, key, list);
}

/** Sets a single element, or one list item, replacing whatever was there (value and extensions). */
export function setAt(holder: JsonObject, key: string, index: number | null, element: ElementValue): void {
  if (index === null) {
    holder[key] = element.value;
    setDecimalText(holder, key, element.text);
    if (element.ext) holder[`_${key}`] = element.ext;
    else delete holder[`_${key}`];
    return;
  }
  const list = readList(holder, key);
  list.values[index] = element.value;
  if (element.ext || list.exts) {
    list.exts ??= list.values.map(() => null);
    list.exts[index] = element.ext ?? null;
  }
  writeList(holder, key, list);
}

export function insertAt(holder: JsonObject, key: string, index: number, element: ElementValue): void {
  const list = readList(holder, key);
  if (index > list.values.length) {
    throw unprocessable(`index ${index} is beyond the end of '${key}' (${list.values.length} items)`);
  }
  list.values.splice(index, 0, element.value);
  if (element.ext || list.exts) {
    list.exts ??= list.values.map(() => null);
    if (list.exts.length < list.values.length) list.exts.splice(index, 0, element.ext ?? null);
    else list.exts[index] = element.ext ?? null;
  }
  writeList(holder, key, list);
}

export function moveWithin(holder: JsonObject, key: string, source: number, destination: number): void {
  const list = readList(holder, key);
  const length = list.values.length;
  if (source >= length || destination >= length) {
    throw unprocessable(`move from ${source} to ${destination} is outside '${key}' (${length} items)`);
  }
  list.values.splice(destination, 0, ...list.values.splice(source, 1));
  list.exts?.splice(destination, 0, ...list.exts.splice(source, 1));
  writeList(holder, key, list);
}

/**
 * The object that holds an element's children: the element itself when complex, or its
 * `_key` companion when primitive (children of a primitive are only `id` and `extension`).
 */
export function childHolder(holder: JsonObject, key: string, index: number | null): JsonObject {
  const current = index === null ? holder[key] : (holder[key] as unknown[] | undefined)?.[index];
  if (isObject(current)) return current;
  const extKey = `_${key}`;
  if (index === null) {
    if (!isObject(holder[extKey])) holder[extKey] = {};
    return holder[extKey] as JsonObject;
  }
  const list = readList(holder, key);
  list.exts ??= list.values.map(() => null);
  const ext = isObject(list.exts[index]) ? (list.exts[index] as JsonObject) : {};
  list.exts[index] = ext;
  holder[extKey] = list.exts;
  return ext;
}

function readList(holder: JsonObject, key: string): ListPair {
  const rawValues = holder[key];
  const rawExts = holder[`_${key}`];
  if (rawValues !== undefined && !Array.isArray(rawValues)) throw unprocessable(`'${key}' is not a list`);
  if (rawExts !== undefined && !Array.isArray(rawExts)) throw unprocessable(`'_${key}' is not a list`);
  const values = [...((rawValues as unknown[] | undefined) ?? [])];
  const exts = rawExts === undefined ? undefined : [...(rawExts as unknown[])];
  // FHIR JSON requires both arrays to have the same length; pad whichever is short.
  const length = Math.max(values.length, exts?.length ?? 0);
  while (values.length < length) values.push(null);
  while (exts && exts.length < length) exts.push(null);
  return { values, exts };
}

function writeList(holder: JsonObject, key: string, { values, exts }: ListPair): void {
  const extKey = `_${key}`;
  const tidyExts = exts?.map((e) => (isObject(e) && Object.keys(e).length === 0 ? null : e));
  if (values.length === 0) delete holder[key];
  else holder[key] = values;
  if (tidyExts && values.length > 0 && tidyExts.some((e) => e !== null && e !== undefined)) {
    holder[extKey] = tidyExts;
  } else {
    delete holder[extKey];
  }
}

/**
 * Drops objects and lists left empty by deletions (FHIR JSON may not contain `{}` or `[]`);
 * deleting `name.text` from a name that only had a text removes the name.
 */
export function pruneEmpty(node: JsonObject): void {
  for (const [key, value] of Object.entries(node)) {
    if (Array.isArray(value)) {
      const kept = value.filter((item) => {
        if (!isObject(item)) return true;
        pruneEmpty(item);
        // Items of a `_key` companion list are kept as null to preserve alignment.
        return Object.keys(item).length > 0 || key.startsWith('_');
      });
      const aligned = key.startsWith('_')
        ? kept.map((item) => (isObject(item) && Object.keys(item).length === 0 ? null : item))
        : kept;
      if (aligned.length === 0 || (key.startsWith('_') && aligned.every((item) => item === null)))
        delete node[key];
      // A list of numbers loses no item here, so its texts keep their indexes.
      else node[key] = aligned.length === value.length ? keepDecimalTexts(value, aligned) : aligned;
    } else if (isObject(value)) {
      pruneEmpty(value);
      if (Object.keys(value).length === 0) delete node[key];
    }
  }
}
