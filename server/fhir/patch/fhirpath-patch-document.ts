import { badRequest } from '../errors.ts';
import { decimalText } from '../format/json.ts';

export type JsonObject = Record<string, unknown>;

/** A `value` part: either one value[x] or nested parts describing a complex (anonymous) value. */
export type PatchValue =
  | { kind: 'typed'; suffix: string; value: unknown; ext: JsonObject | undefined; text?: string | undefined }
  | { kind: 'parts'; parts: { name: string; value: PatchValue }[] };

export type FhirPathPatchOperation =
  | { type: 'add'; path: string; name: string; value: PatchValue }
  | { type: 'insert'; path: string; index: number; value: PatchValue }
  | { type: 'delete'; path: string }
  | { type: 'replace'; path: string; value: PatchValue }
  | { type: 'move'; path: string; source: number; destination: number };

type OperationType = FhirPathPatchOperation['type'];

const REQUIRED: Record<OperationType, readonly string[]> = {
  add: ['path', 'name', 'value'],
  insert: ['path', 'index', 'value'],
  delete: ['path'],
  replace: ['path', 'value'],
  move: ['path', 'source', 'destination'],
};
const KNOWN_PARTS = new Set(['type', 'path', 'name', 'value', 'index', 'source', 'destination']);
const VALUE_KEY = /^value[A-Z]/;
const ELEMENT_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * Reads a FHIRPath Patch `Parameters` resource into operations. Everything wrong with
 * the document itself is reported here as a 400, before any operation is applied.
 */
export function parseFhirPathPatch(parameters: unknown): FhirPathPatchOperation[] {
  if (!isObject(parameters) || parameters.resourceType !== 'Parameters') {
    throw badRequest('FHIRPath Patch body must be a Parameters resource');
  }
  const list = parameters.parameter;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw badRequest('Parameters.parameter must be an array');
  return list.map((param, i) => parseOperation(param, `Parameters.parameter[${i}]`));
}

function parseOperation(param: unknown, where: string): FhirPathPatchOperation {
  if (!isObject(param) || param.name !== 'operation') {
    throw badRequest(`${where}: FHIRPath Patch parameters must be named 'operation'`);
  }
  const parts = byName(param.part, where);
  const typePart = parts.get('type');
  const type = typePart && (typePart.valueCode ?? typePart.valueString);
  if (typeof type !== 'string' || !(type in REQUIRED)) {
    throw badRequest(`${where}: operation type must be one of ${Object.keys(REQUIRED).join(', ')}`);
  }
  const opType = type as OperationType;
  for (const name of REQUIRED[opType]) {
    if (!parts.has(name)) throw badRequest(`${where}: '${opType}' operation is missing its '${name}' part`);
  }
  for (const name of parts.keys()) {
    if (name !== 'type' && !REQUIRED[opType].includes(name)) {
      throw badRequest(`${where}: '${name}' part is not allowed in a '${opType}' operation`);
    }
  }
  const path = stringPart(parts, 'path', where);
  switch (opType) {
    case 'add':
      return {
        type: opType,
        path,
        name: elementName(stringPart(parts, 'name', where), where),
        value: readValue(parts.get('value')!, `${where}.value`),
      };
    case 'insert':
      return {
        type: opType,
        path,
        index: integerPart(parts, 'index', where),
        value: readValue(parts.get('value')!, `${where}.value`),
      };
    case 'delete':
      return { type: opType, path };
    case 'replace':
      return { type: opType, path, value: readValue(parts.get('value')!, `${where}.value`) };
    case 'move':
      return {
        type: opType,
        path,
        source: integerPart(parts, 'source', where),
        destination: integerPart(parts, 'destination', where),
      };
  }
}

function byName(parts: unknown, where: string): Map<string, JsonObject> {
  if (!Array.isArray(parts)) throw badRequest(`${where}: operation has no parts`);
  const map = new Map<string, JsonObject>();
  for (const part of parts) {
    if (!isObject(part) || typeof part.name !== 'string')
      throw badRequest(`${where}: every part needs a name`);
    if (!KNOWN_PARTS.has(part.name)) throw badRequest(`${where}: unknown part '${part.name}'`);
    if (map.has(part.name)) throw badRequest(`${where}: part '${part.name}' appears more than once`);
    map.set(part.name, part);
  }
  return map;
}

function stringPart(parts: Map<string, JsonObject>, name: string, where: string): string {
  const value = parts.get(name)?.valueString;
  if (typeof value !== 'string' || value.trim() === '') {
    throw badRequest(`${where}: '${name}' part must have a non-empty valueString`);
  }
  return value;
}

function elementName(name: string, where: string): string {
  if (!ELEMENT_NAME.test(name)) throw badRequest(`${where}: '${name}' is not a valid element name`);
  return name;
}

function integerPart(parts: Map<string, JsonObject>, name: string, where: string): number {
  const value = parts.get(name)?.valueInteger;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw badRequest(`${where}: '${name}' part must have a non-negative valueInteger`);
  }
  return value;
}

function readValue(part: JsonObject, where: string): PatchValue {
  const valueKeys = Object.keys(part).filter((key) => VALUE_KEY.test(key));
  if (part.part !== undefined) {
    if (valueKeys.length > 0) throw badRequest(`${where}: a part has both a value[x] and nested parts`);
    if (!Array.isArray(part.part) || part.part.length === 0)
      throw badRequest(`${where}: nested parts must be a non-empty array`);
    return {
      kind: 'parts',
      parts: part.part.map((child: unknown, i: number) => {
        const at = `${where}.part[${i}]`;
        if (!isObject(child) || typeof child.name !== 'string') {
          throw badRequest(`${at}: every nested part needs a name`);
        }
        return { name: elementName(child.name, at), value: readValue(child, at) };
      }),
    };
  }
  const key = valueKeys[0];
  if (key === undefined || valueKeys.length > 1)
    throw badRequest(`${where}: a value part needs exactly one value[x]`);
  const ext = part[`_${key}`];
  if (ext !== undefined && !isObject(ext)) throw badRequest(`${where}: _${key} must be an object`);
  const text = decimalText(part, key);
  return { kind: 'typed', suffix: key.slice('value'.length), value: part[key], ext, text };
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
