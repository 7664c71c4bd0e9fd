import { readFileSync } from 'node:fs';
import { buildPrimitiveModel, type PrimitiveModel } from './element-model.ts';

/** The subset of JSON-Schema nodes this module reads; everything else is passed through to ajv untouched. */
export interface SchemaNode {
  $ref?: string;
  type?: string;
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  [keyword: string]: unknown;
}

export interface FhirSchema {
  /** The official FHIR 4.0.1 schema with the in-memory patches below applied; handed to ajv as-is. */
  readonly document: Record<string, unknown> & { definitions: Record<string, SchemaNode> };
  readonly definitions: Readonly<Record<string, SchemaNode>>;
  readonly resourceTypes: ReadonlySet<string>;
  /** FHIR type name (`date`, `HumanName`, `Patient_Contact`) of a schema node, as found in ajv's `parentSchema`. */
  readonly typeNames: ReadonlyMap<object, string>;
  /** Primitive-typed properties per definition, with their FHIR type. */
  readonly primitives: PrimitiveModel;
  /** Required primitive properties the schema no longer lists in `required` (see addPrimitiveCompanions). */
  readonly requiredPrimitives: ReadonlyMap<string, readonly string[]>;
}

/** The key under which the document is registered with ajv, so refs read `fhir.schema.json#/definitions/X`. */
export const SCHEMA_KEY = 'fhir.schema.json';

const SCHEMA_FILE = new URL('../../../profiles/fhir.schema.json', import.meta.url);

let cached: FhirSchema | undefined;

/** Parsed once per process (~4 MB of JSON); every validator shares the same read-only document. */
export function loadFhirSchema(): FhirSchema {
  cached ??= patchSchema(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>);
  return cached;
}

function patchSchema(raw: Record<string, unknown>): FhirSchema {
  const definitions = raw.definitions as Record<string, SchemaNode>;
  const discriminator = raw.discriminator as { mapping: Record<string, string> };
  const resourceTypes = new Set(Object.keys(discriminator.mapping));

  // The file declares draft-06 but names its identifier `id` (draft-04 style); ajv 8 reads only `$id`.
  const document: FhirSchema['document'] = { ...raw, definitions, $id: raw.id };
  delete document.id;
  // Without the root `oneOf`, a `$ref` into the document compiles just that type's closure
  // (~0.2 s) instead of all 146 resource types (~2 s) on the first compile.
  delete document.oneOf;
  delete document.discriminator;

  // Nested resources (contained, Bundle.entry.resource, Parameters.parameter.resource, ...) are
  // validated one by one against their own type by the caller. Left as a 146-way `oneOf`, a single
  // bad field in a contained resource would surface as hundreds of errors from the other branches.
  // What is left is the shape check, so an array in place of a resource is still reported.
  definitions.ResourceList = { type: 'object' };

  // The official schema never says that complex types are objects, so `"name": ["Bob"]` passes.
  for (const definition of Object.values(definitions)) {
    if (definition.properties) definition.type = 'object';
  }

  const typeNames = nameTypes(definitions);
  // The schema types these as plain `number` (its patterns never apply to numbers), so 1.5 or -1
  // would pass as a positiveInt.
  for (const [node, name] of typeNames) {
    const integer = INTEGER_TYPES[name];
    if (integer) Object.assign(node, { type: 'integer', ...integer });
  }

  const primitives = buildPrimitiveModel(definitions, typeNames);
  const requiredPrimitives = addPrimitiveCompanions(definitions, primitives);

  return { document, definitions, resourceTypes, typeNames, primitives, requiredPrimitives };
}

/**
 * FHIR JSON allows a `_x` companion (id and extensions) beside every primitive `x`, but the official
 * schema has none for its 72 `canonical` elements (`_baseDefinition`, `meta._profile`), so valid
 * resources were refused as "Unknown element". Every primitive property without a companion gets
 * one (an array of Elements beside a list), except the element and resource `id`s, which are
 * FHIRPath System.Strings in R4, and the xhtml `Narrative.div`: neither takes extensions.
 *
 * A required primitive may then come as its companion alone, which `required` cannot express (the
 * file lists 11 of the canonicals there), so these are taken out of `required` and returned for the
 * required-primitives rule.
 */
function addPrimitiveCompanions(
  definitions: Record<string, SchemaNode>,
  primitives: PrimitiveModel,
): Map<string, string[]> {
  const requiredPrimitives = new Map<string, string[]>();
  for (const [name, slots] of primitives) {
    const definition = definitions[name]!;
    const properties = definition.properties!;
    for (const [property, slot] of slots) {
      const companion = `_${property}`;
      if (property === 'id' || slot.type === 'xhtml') continue;
      if (!(companion in properties)) {
        const element: SchemaNode = { $ref: '#/definitions/Element' };
        properties[companion] = slot.array ? { type: 'array', items: element } : element;
      }
      if (definition.required?.includes(property)) {
        definition.required = definition.required.filter((required) => required !== property);
        requiredPrimitives.set(name, [...(requiredPrimitives.get(name) ?? []), property]);
      }
    }
  }
  return requiredPrimitives;
}

// FHIR integers are 32-bit signed (datatypes.html#integer).
const INT32_MAX = 2147483647;
const INTEGER_TYPES: Record<string, Partial<SchemaNode>> = {
  integer: { minimum: -2147483648, maximum: INT32_MAX },
  positiveInt: { minimum: 1, maximum: INT32_MAX },
  unsignedInt: { minimum: 0, maximum: INT32_MAX },
};

/**
 * Names every definition, plus the primitive schemas written inline for choice elements
 * (`valueDateTime`, `multipleBirthInteger`), whose type is the suffix of the property name.
 */
function nameTypes(definitions: Record<string, SchemaNode>): Map<object, string> {
  const names = new Map<object, string>(Object.entries(definitions).map(([name, node]) => [node, name]));
  names.set(definitions.ResourceList as SchemaNode, 'Resource');
  const primitives = Object.keys(definitions)
    .filter((name) => !definitions[name]?.properties && name !== 'ResourceList')
    // Longest first, so `valueDateTime` is a dateTime rather than a time.
    .sort((a, b) => b.length - a.length);
  for (const definition of Object.values(definitions)) {
    for (const [property, node] of Object.entries(definition.properties ?? {})) {
      const inline = node.items ?? node;
      if (inline.$ref || !inline.type || inline.type === 'array') continue;
      const type = primitives.find((name) => property.endsWith(name[0]!.toUpperCase() + name.slice(1)));
      if (type) names.set(inline, type);
    }
  }
  return names;
}

export function isKnownResourceType(type: string): boolean {
  return loadFhirSchema().resourceTypes.has(type);
}
