/**
 * Derives compact element metadata from the official FHIR R4 JSON schema.
 *
 *   npx tsx scripts/generate-type-info.ts
 *
 * Output (profiles/generated/type-info.json):
 *   resourceTypes: names from the schema discriminator
 *   primitives:    primitive type name -> JSON kind ("boolean" | "number" | "string")
 *   types:         type name -> { element: "Type" | "Type[]" } in schema (= FHIR element) order
 * Resource-typed elements (ResourceList) get the type "Resource".
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface SchemaProperty {
  $ref?: string;
  type?: string;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  items?: SchemaProperty;
}
interface SchemaDefinition {
  type?: string;
  pattern?: string;
  properties?: Record<string, SchemaProperty>;
  oneOf?: unknown[];
}
interface Schema {
  discriminator: { mapping: Record<string, string> };
  definitions: Record<string, SchemaDefinition>;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const schemaPath = resolve(root, 'profiles/fhir.schema.json');
const outPath = resolve(root, 'profiles/generated/type-info.json');

const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Schema;
const defs = schema.definitions;

const primitives: Record<string, 'boolean' | 'number' | 'string'> = {};
for (const [name, def] of Object.entries(defs)) {
  if (def.properties || def.oneOf) continue;
  primitives[name] = def.type === 'boolean' ? 'boolean' : def.type === 'number' ? 'number' : 'string';
}

const refName = (ref: string): string => {
  const name = ref.replace('#/definitions/', '');
  if (!(name in defs)) throw new Error(`Unresolved $ref ${ref}`);
  return name === 'ResourceList' ? 'Resource' : name;
};

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Choice-type expansions of primitives are inlined as {type, pattern} instead of a $ref, and some
 * primitives share a pattern (uri/url/canonical, string/markdown) - the element name's type suffix
 * (valueCanonical) is what disambiguates.
 */
function inlinePrimitiveType(owner: string, element: string, prop: SchemaProperty): string {
  const bySuffix = Object.keys(primitives)
    .filter((p) => element.endsWith(capitalize(p)))
    .sort((a, b) => b.length - a.length);
  const byPattern = Object.keys(primitives).filter(
    (p) => defs[p]?.pattern === prop.pattern && defs[p]?.type === prop.type,
  );
  const match = bySuffix.find((p) => byPattern.length === 0 || byPattern.includes(p)) ?? byPattern[0];
  if (!match || (byPattern.length > 1 && !bySuffix.includes(match))) {
    throw new Error(`Cannot determine primitive type of ${owner}.${element}`);
  }
  return match;
}

function elementType(owner: string, element: string, prop: SchemaProperty): string {
  if (prop.$ref) return refName(prop.$ref);
  if (prop.enum) return 'code';
  if (prop.pattern !== undefined) return inlinePrimitiveType(owner, element, prop);
  throw new Error(`Unsupported schema shape at ${owner}.${element}: ${JSON.stringify(prop)}`);
}

const types: Record<string, Record<string, string>> = {};
for (const [name, def] of Object.entries(defs)) {
  if (!def.properties) continue;
  const elements: Record<string, string> = {};
  for (const [element, prop] of Object.entries(def.properties)) {
    // `_x` siblings are implied for every primitive; resourceType is the discriminator, not an element.
    if (element.startsWith('_') || prop.const !== undefined) continue;
    const array = prop.type === 'array';
    const type = elementType(name, element, array ? (prop.items ?? {}) : prop);
    elements[element] = array ? `${type}[]` : type;
  }
  types[name] = elements;
}

const resourceTypes = Object.keys(schema.discriminator.mapping);
for (const rt of resourceTypes) if (!types[rt]) throw new Error(`Resource type ${rt} has no definition`);

mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, JSON.stringify({ resourceTypes, primitives, types }) + '\n');
console.log(
  `Wrote ${outPath}: ${resourceTypes.length} resource types, ${Object.keys(primitives).length} primitives, ` +
    `${Object.keys(types).length} types`,
);
