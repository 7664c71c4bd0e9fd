import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4/index.js';
import { readFileSync } from 'node:fs';
import { resourceTypes } from '../../model/type-info.ts';
import type { CompartmentDefinition } from '../extract/indexer.ts';
import type { SearchParamType } from '../types.ts';
import { partsForType } from './expression.ts';
import { compileComponentFastPath, compileFastPath } from './fast-path.ts';

/** The fields of a SearchParameter resource the engine uses. */
export interface SearchParameterResource {
  resourceType: 'SearchParameter';
  url: string;
  code: string;
  base: string[];
  type: SearchParamType;
  expression?: string;
  target?: string[];
  description?: string;
  component?: { definition: string; expression: string }[];
}

type Evaluate = (input: unknown, env?: Record<string, unknown>) => unknown[];

export interface CompiledPart {
  expression: string;
  evaluate: Evaluate;
  resolveType?: string;
}

export interface CompiledComponent {
  type: SearchParamType;
  /** Per part of the composite: evaluated on each node that part selects. */
  evaluate: Evaluate[];
}

/** A search parameter as it applies to one resource type. */
export interface SearchParam {
  resourceType: string;
  code: string;
  type: SearchParamType;
  url: string;
  /** Index key: `<ResourceType>.<code>`, or `Resource.<code>` for parameters of every type. */
  key: string;
  description: string;
  parts: CompiledPart[];
  /** Reference targets allowed by the definition (all types when it names none). */
  targets: string[];
  components?: CompiledComponent[];
  /** An official or our own definition, as opposed to a built-in like `_has`. */
  expression?: string;
}

const compileOptions = { resolveInternalTypes: false } as const;

function compile(expression: string | { base: string; expression: string }): Evaluate {
  return fhirpath.compile(expression, r4, compileOptions) as Evaluate;
}

/** Search parameters keyed by resource type and code, built from SearchParameter resources. */
export class SearchParamRegistry {
  private readonly byType = new Map<string, Map<string, SearchParam>>();
  private readonly byUrl = new Map<string, SearchParameterResource>();

  /** `fastPath: false` evaluates every expression with fhirpath.js (the tests compare both). */
  constructor(
    definitions: SearchParameterResource[],
    private readonly options: { fastPath?: boolean } = {},
  ) {
    for (const def of definitions) this.byUrl.set(def.url, def);
    for (const def of definitions) {
      // `Resource` is also a pseudo-type of its own: what a system-level search can use.
      const bases = def.base.flatMap((b) =>
        b === 'Resource' || b === 'DomainResource' ? [...resourceTypes, 'Resource'] : [b],
      );
      for (const resourceType of bases) {
        if (!resourceTypes.has(resourceType) && resourceType !== 'Resource') continue;
        if (def.base.includes('DomainResource') && (resourceType === 'Bundle' || resourceType === 'Binary'))
          continue;
        const param = this.compileFor(def, resourceType);
        if (!param) continue;
        let forType = this.byType.get(resourceType);
        if (!forType) this.byType.set(resourceType, (forType = new Map()));
        // Later definitions (ours) replace earlier ones (official) with the same code.
        forType.set(def.code, param);
      }
    }
  }

  get(resourceType: string, code: string): SearchParam | undefined {
    return this.byType.get(resourceType)?.get(code);
  }

  forType(resourceType: string): SearchParam[] {
    return [...(this.byType.get(resourceType)?.values() ?? [])];
  }

  /** Keys of every reference parameter that can point at one of `targetTypes`. */
  referencesTo(targetTypes: string[]): string[] {
    const keys: string[] = [];
    for (const [type, params] of this.byType) {
      if (type === 'Resource') continue;
      for (const p of params.values()) {
        if (p.type === 'reference' && p.parts.length > 0 && p.targets.some((t) => targetTypes.includes(t))) {
          keys.push(p.key);
        }
      }
    }
    return keys;
  }

  private compileFor(def: SearchParameterResource, resourceType: string): SearchParam | undefined {
    // Parameters of every resource (`_tag`, `_profile`…) share one key, so a system-level
    // search is one index lookup rather than one per resource type.
    const everyType = def.base.includes('Resource') || def.base.includes('DomainResource');
    const key = `${everyType ? 'Resource' : resourceType}.${def.code}`;
    const common = {
      resourceType,
      code: def.code,
      type: def.type,
      url: def.url,
      key,
      description: def.description ?? '',
      targets: def.target ?? [...resourceTypes],
      expression: def.expression,
    };
    if (!def.expression) return { ...common, parts: [] };
    const parts = partsForType(def.expression, resourceType).map((p) => ({
      ...p,
      evaluate:
        (this.options.fastPath !== false ? compileFastPath(p.expression, resourceType) : undefined) ??
        compile(p.expression),
    }));
    if (parts.length === 0) return undefined;
    if (def.type !== 'composite') return { ...common, parts };
    const components: CompiledComponent[] = [];
    for (const c of def.component ?? []) {
      const componentDef = this.byUrl.get(c.definition);
      if (!componentDef) return undefined;
      // Component expressions are relative to what the composite selects; fhirpath.js needs
      // that base path to know element types.
      const expression = c.expression.replace(/\.as\(([A-Za-z]+)\)/g, '.ofType($1)');
      components.push({
        type: componentDef.type,
        evaluate: parts.map(
          (p) =>
            (this.options.fastPath !== false
              ? compileComponentFastPath(p.expression, expression, resourceType)
              : undefined) ?? compile({ base: p.expression, expression }),
        ),
      });
    }
    return { ...common, parts, components };
  }
}

export interface SearchParameterBundle {
  entry?: { resource?: SearchParameterResource }[];
}

/** Reads SearchParameter resources from Bundles (the official one first, then ours). */
export function loadSearchParameters(files: URL[]): SearchParameterResource[] {
  return files.flatMap((file) => {
    const bundle = JSON.parse(readFileSync(file, 'utf8')) as SearchParameterBundle;
    return (bundle.entry ?? [])
      .map((e) => e.resource)
      .filter((r): r is SearchParameterResource => r?.resourceType === 'SearchParameter');
  });
}

export const patientCompartmentFile = new URL(
  '../../../../profiles/compartmentdefinition-patient.json',
  import.meta.url,
);

/** Our additions to the Patient compartment (Task by `for`); the official file stays unmodified. */
export const patientCompartmentAdditionsFile = new URL(
  '../../../../profiles/compartment-patient-additions.json',
  import.meta.url,
);

/** A CompartmentDefinition, with the entries of `additions` for types it leaves out. */
export function loadCompartmentDefinition(file: URL, additions?: URL): CompartmentDefinition {
  const def = JSON.parse(readFileSync(file, 'utf8')) as CompartmentDefinition;
  if (!additions) return def;
  const extra = (JSON.parse(readFileSync(additions, 'utf8')) as Pick<CompartmentDefinition, 'resource'>)
    .resource;
  const added = new Set(extra.map((r) => r.code));
  const overridden = def.resource.filter((r) => added.has(r.code) && r.param?.length);
  if (overridden.length)
    throw new Error(`${additions.pathname} redefines ${overridden[0]!.code}, a member already`);
  return { ...def, resource: [...def.resource.filter((r) => !added.has(r.code)), ...extra] };
}

export const defaultSearchParameterFiles = [
  new URL('../../../../profiles/search-parameters.json', import.meta.url),
  new URL('../../../../profiles/search-parameters-nl.json', import.meta.url),
  new URL('../../../../profiles/search-parameters-referral.json', import.meta.url),
];
