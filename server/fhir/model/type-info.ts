import { readFileSync } from 'node:fs';

/**
 * Element metadata for every FHIR R4 type, precomputed from profiles/fhir.schema.json by
 * scripts/generate-type-info.ts (rerun it when the schema changes).
 */

export type PrimitiveJsonKind = 'boolean' | 'number' | 'string';

export interface ElementInfo {
  /** FHIR type name: `string`, `HumanName`, `Patient_Contact`, `Resource` for resource-typed elements. */
  readonly type: string;
  readonly array: boolean;
  readonly primitive: boolean;
}

interface TypeInfoFile {
  resourceTypes: string[];
  primitives: Record<string, PrimitiveJsonKind>;
  types: Record<string, Record<string, string>>;
}

const data = JSON.parse(
  readFileSync(new URL('../../../profiles/generated/type-info.json', import.meta.url), 'utf8'),
) as TypeInfoFile;

const primitiveKinds: ReadonlyMap<string, PrimitiveJsonKind> = new Map(Object.entries(data.primitives));

export const resourceTypes: ReadonlySet<string> = new Set(data.resourceTypes);

// Map iteration order is insertion order, which is the schema's (= FHIR's) element order.
const typeElements: ReadonlyMap<string, ReadonlyMap<string, ElementInfo>> = new Map(
  Object.entries(data.types).map(([typeName, elements]) => [
    typeName,
    new Map(
      Object.entries(elements).map(([element, spec]): [string, ElementInfo] => {
        const array = spec.endsWith('[]');
        const type = array ? spec.slice(0, -2) : spec;
        return [element, Object.freeze({ type, array, primitive: primitiveKinds.has(type) })];
      }),
    ),
  ]),
);

export function isResourceType(name: string): boolean {
  return resourceTypes.has(name);
}

export function isPrimitiveType(typeName: string): boolean {
  return primitiveKinds.has(typeName);
}

/** How a primitive is represented in FHIR JSON; undefined for non-primitive types. */
export function primitiveJsonKind(typeName: string): PrimitiveJsonKind | undefined {
  return primitiveKinds.get(typeName);
}

/** True for complex data types, backbone elements (`Patient_Contact`) and resources. */
export function isComplexType(typeName: string): boolean {
  return typeElements.has(typeName);
}

export function elementInfo(typeName: string, element: string): ElementInfo | undefined {
  return typeElements.get(typeName)?.get(element);
}

/** All elements of a complex type in FHIR element order (choice types expanded), or undefined. */
export function typeElementsOf(typeName: string): ReadonlyMap<string, ElementInfo> | undefined {
  return typeElements.get(typeName);
}
