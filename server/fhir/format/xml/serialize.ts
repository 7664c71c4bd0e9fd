import {
  isResourceType,
  primitiveJsonKind,
  typeElementsOf,
  type ElementInfo,
} from '../../model/type-info.ts';
import { decimalText } from '../json.ts';
import { isXmlSafe } from './escape.ts';
import { FHIR_NS, xmlStructureError } from './errors.ts';
import { XmlWriter, type XmlAttribute } from './writer.ts';
import { checkXhtmlDiv } from './xhtml.ts';

export interface ToFhirXmlOptions {
  /** Indent with two spaces, one element per line. */
  pretty?: boolean;
}

type JsonObject = Record<string, unknown>;
type Owner = 'resource' | 'element';

/** FHIR JSON -> FHIR XML, elements in FHIR (schema) order. Throws a 400 FhirError for bad input. */
export function toFhirXml(resource: Record<string, unknown>, options: ToFhirXmlOptions = {}): string {
  const writer = new XmlWriter(options.pretty ?? false);
  writeResource(writer, resource, '', true);
  return writer.toString();
}

function fail(message: string): never {
  throw xmlStructureError(message);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Element.id and Extension.url are XML attributes; Resource.id is an ordinary element. */
function isAttribute(owner: Owner, type: string, name: string): boolean {
  return (owner === 'element' && name === 'id') || (type === 'Extension' && name === 'url');
}

function writeResource(w: XmlWriter, resource: unknown, path: string, root: boolean): void {
  if (!isObject(resource)) fail(`Expected a resource object at ${path || 'the document root'}`);
  const type = resource.resourceType;
  if (typeof type !== 'string' || !isResourceType(type)) {
    fail(`Unknown or missing resourceType '${String(type)}' at ${path || 'the document root'}`);
  }
  w.start(type, root ? [['xmlns', FHIR_NS]] : []);
  writeElements(w, type, resource, path || type, 'resource');
  w.end(type);
}

function writeComplex(w: XmlWriter, name: string, type: string, value: unknown, path: string): void {
  if (!isObject(value)) fail(`Expected an object at ${path}`);
  const attributes: XmlAttribute[] = [];
  for (const attr of ['id', 'url']) {
    if (value[attr] !== undefined && isAttribute('element', type, attr)) {
      attributes.push([attr, stringValue(value[attr], `${path}.${attr}`)]);
    }
  }
  w.start(name, attributes);
  writeElements(w, type, value, path, 'element');
  w.end(name);
}

function writeElements(w: XmlWriter, type: string, obj: JsonObject, path: string, owner: Owner): void {
  const elements = typeElementsOf(type);
  if (!elements) return fail(`Unknown type '${type}' at ${path}`);
  checkKeys(type, obj, path, elements, owner);
  for (const [name, info] of elements) {
    if (isAttribute(owner, type, name)) continue;
    const value = obj[name];
    const extra = obj[`_${name}`];
    if (value === undefined && extra === undefined) continue;
    const here = `${path}.${name}`;
    if (info.type === 'xhtml') {
      w.raw(checkXhtmlDiv(stringValue(value, here), here));
    } else if (info.primitive) {
      writePrimitives(w, name, info, obj, here);
    } else {
      for (const [item, itemPath] of items(value, info, here)) {
        if (info.type !== 'Resource') {
          writeComplex(w, name, info.type, item, itemPath);
          continue;
        }
        w.start(name);
        writeResource(w, item, itemPath, false);
        w.end(name);
      }
    }
  }
}

function checkKeys(
  type: string,
  obj: JsonObject,
  path: string,
  elements: ReadonlyMap<string, ElementInfo>,
  owner: Owner,
): void {
  for (const key of Object.keys(obj)) {
    if (key === 'resourceType' && owner === 'resource') continue;
    if (key.startsWith('_')) {
      const base = key.slice(1);
      const info = elements.get(base);
      if (info?.primitive && info.type !== 'xhtml' && !isAttribute(owner, type, base)) continue;
    } else if (elements.has(key)) {
      continue;
    }
    fail(`Unknown element '${key}' in ${path}`);
  }
}

function items(value: unknown, info: ElementInfo, path: string): Array<[unknown, string]> {
  if (!info.array) {
    if (Array.isArray(value)) fail(`${path} must not be an array`);
    return [[value, path]];
  }
  if (!Array.isArray(value)) return fail(`${path} must be an array`);
  return value.map((item, i) => [item, `${path}[${i}]`]);
}

function writePrimitives(
  w: XmlWriter,
  name: string,
  info: ElementInfo,
  holder: JsonObject,
  path: string,
): void {
  const value = holder[name];
  const extra = holder[`_${name}`];
  if (!info.array) {
    if (Array.isArray(value) || Array.isArray(extra)) fail(`${path} must not be an array`);
    return writePrimitive(w, name, info.type, value ?? null, extra ?? null, path, decimalText(holder, name));
  }
  const values = value === undefined ? [] : value;
  const extras = extra === undefined ? [] : extra;
  if (!Array.isArray(values) || !Array.isArray(extras)) return fail(`${path} must be an array`);
  if (value !== undefined && extra !== undefined && values.length !== extras.length) {
    fail(`${path} and its '_${name}' array differ in length`);
  }
  for (let i = 0; i < Math.max(values.length, extras.length); i++) {
    const text = decimalText(values, i);
    writePrimitive(w, name, info.type, values[i] ?? null, extras[i] ?? null, `${path}[${i}]`, text);
  }
}

function writePrimitive(
  w: XmlWriter,
  name: string,
  type: string,
  value: unknown,
  extra: unknown,
  path: string,
  /** A number as it was written (`5.0`), see ../json.ts. */
  text: string | undefined,
): void {
  if (value === null && extra === null) fail(`${path} has neither a value nor extensions`);
  if (extra !== null && !isObject(extra)) fail(`Expected an object for the extensions of ${path}`);
  const attributes: XmlAttribute[] = [];
  if (extra?.id !== undefined) attributes.push(['id', stringValue(extra.id, `${path}.id`)]);
  // Only a decimal's precision is kept: an integer written `1.0` in JSON is `1` in XML's grammar.
  const written = type === 'decimal' ? text : undefined;
  if (value !== null) attributes.push(['value', written ?? lexicalValue(value, type, path)]);
  w.start(name, attributes);
  if (extra) writeElements(w, 'Element', extra, path, 'element');
  w.end(name);
}

function lexicalValue(value: unknown, type: string, path: string): string {
  const kind = primitiveJsonKind(type);
  if (kind === 'boolean' && typeof value === 'boolean') return String(value);
  // Number formatting is the shortest string that reads back as the same double; -0 needs help.
  if (kind === 'number' && typeof value === 'number' && Number.isFinite(value)) {
    return Object.is(value, -0) ? '-0' : String(value);
  }
  if (kind === 'string' && typeof value === 'string') return stringValue(value, path);
  return fail(`Invalid ${type} value at ${path}: expected a JSON ${kind ?? 'value'}`);
}

function stringValue(value: unknown, path: string): string {
  if (typeof value !== 'string') return fail(`Expected a string at ${path}`);
  if (!isXmlSafe(value)) fail(`${path} contains characters that cannot be represented in XML`);
  return value;
}
