import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4/index.js';
import { readFileSync } from 'node:fs';

/**
 * The official R4 SearchParameter definitions and the evaluation of their FHIRPath over a
 * resource with fhirpath.js, independently of the server's registry and extractors.
 */

export type ParamType =
  'string' | 'token' | 'reference' | 'date' | 'number' | 'quantity' | 'uri' | 'composite' | 'special';

export interface ParamDef {
  url: string;
  code: string;
  type: ParamType;
  base: string[];
  target: string[];
  expression: string;
  components: { definition: string; expression: string }[];
}

/** One `|`-separated piece of an expression, rewritten for fhirpath.js. */
export interface Part {
  expression: string;
  /** From `.where(resolve() is T)`: keep only references whose target type is T. */
  refType?: string;
}

/** A FHIRPath result with its FHIR type name (`HumanName`, `dateTime`, `string` …). */
export interface Typed {
  type: string;
  value: any;
  node: unknown;
}

type Json = Record<string, any>;

const FILE = new URL('../../../profiles/search-parameters.json', import.meta.url);
const SYSTEM_TYPES: Record<string, string> = {
  String: 'string',
  Boolean: 'boolean',
  Integer: 'integer',
  Decimal: 'decimal',
  Date: 'date',
  DateTime: 'dateTime',
  Time: 'time',
  Quantity: 'Quantity',
};

export class Definitions {
  private readonly byTypeCode = new Map<string, ParamDef>();
  private readonly byUrl = new Map<string, ParamDef>();
  private readonly parts = new Map<string, Part[]>();
  private readonly compiled = new Map<string, (data: unknown, env: Json) => unknown[]>();

  constructor(bundle: Json = JSON.parse(readFileSync(FILE, 'utf8'))) {
    for (const { resource } of bundle.entry as { resource: Json }[]) {
      const def: ParamDef = {
        url: resource.url,
        code: resource.code,
        type: resource.type,
        base: resource.base,
        target: resource.target ?? [],
        expression: resource.expression ?? '',
        components: resource.component ?? [],
      };
      this.byUrl.set(def.url, def);
      for (const base of def.base) this.byTypeCode.set(`${base}.${def.code}`, def);
    }
  }

  /** The parameter `code` on `resourceType`, including those defined on Resource and DomainResource. */
  get(resourceType: string, code: string): ParamDef | undefined {
    return (
      this.byTypeCode.get(`${resourceType}.${code}`) ??
      this.byTypeCode.get(`DomainResource.${code}`) ??
      this.byTypeCode.get(`Resource.${code}`)
    );
  }

  byDefinition(url: string): ParamDef {
    const def = this.byUrl.get(url);
    if (!def) throw new Error(`no SearchParameter ${url}`);
    return def;
  }

  /** Every parameter defined for `resourceType` with an expression (so not _text, _content, _query). */
  paramsOf(resourceType: string): ParamDef[] {
    const out: ParamDef[] = [];
    for (const [key, def] of this.byTypeCode) {
      const type = key.slice(0, key.indexOf('.'));
      if (type !== resourceType && type !== 'Resource' && type !== 'DomainResource') continue;
      if (def.expression && this.get(resourceType, def.code) === def) out.push(def);
    }
    return out;
  }

  /** The pieces of the expression that apply to `resourceType`. */
  partsFor(def: ParamDef, resourceType: string): Part[] {
    const key = `${def.url} ${resourceType}`;
    let parts = this.parts.get(key);
    if (!parts) {
      parts = splitTopLevel(def.expression)
        .filter((p) => {
          const root = /^\(*([A-Za-z]+)/.exec(p)?.[1];
          return root === resourceType || root === 'Resource' || root === 'DomainResource';
        })
        .map(rewrite);
      this.parts.set(key, parts);
    }
    return parts;
  }

  /** Evaluates a (relative, for composite components) expression over a resource or a node of it. */
  evaluate(data: unknown, root: Json, expression: string): Typed[] {
    const out: Typed[] = [];
    for (const part of splitTopLevel(expression).map(rewrite))
      out.push(...this.evaluatePart(data, root, part));
    return out;
  }

  evaluatePart(data: unknown, root: Json, part: Part): Typed[] {
    let fn = this.compiled.get(part.expression);
    if (!fn) {
      fn = fhirpath.compile(part.expression, r4, { resolveInternalTypes: false }) as unknown as (
        data: unknown,
        env: Json,
      ) => unknown[];
      this.compiled.set(part.expression, fn);
    }
    const nodes = fn(data, { resource: root, rootResource: root });
    const types = fhirpath.types(nodes);
    const values = fhirpath.resolveInternalTypes(nodes) as unknown[];
    const out: Typed[] = nodes.map((node, i) => {
      const [ns, name] = types[i]!.split('.') as [string, string];
      return { type: ns === 'System' ? (SYSTEM_TYPES[name] ?? name) : name, value: values[i], node };
    });
    if (part.refType === undefined) return out;
    return out.filter((t) => t.type === 'Reference' && referenceTargetType(t.value) === part.refType);
  }
}

/** The target type a Reference names: from `Type/id` (relative or absolute), else Reference.type. */
export function referenceTargetType(ref: Json): string | undefined {
  const m =
    typeof ref.reference === 'string'
      ? /(?:^|\/)([A-Z][A-Za-z]+)\/[^/]+(?:\/_history\/[^/]+)?$/.exec(ref.reference)
      : null;
  return m?.[1] ?? (typeof ref.type === 'string' ? ref.type : undefined);
}

/** Splits on `|` outside parentheses and quotes. */
export function splitTopLevel(expression: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === "'" && expression[i - 1] !== '\\') quote = !quote;
    else if (quote) continue;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(expression.slice(start).trim());
  return out.filter((p) => p !== '');
}

/**
 * fhirpath.js refuses `resolve()` outside async mode and `x as T` when x is a list, so
 * `X.where(resolve() is T)` becomes X filtered by target type, and `as` becomes `ofType`
 * (the same for one value, a type filter for a list). `DateTime` in R4's code-value-date is
 * the FHIR dateTime it means.
 */
export function rewrite(part: string): Part {
  let expression = part.trim();
  let refType: string | undefined;
  const resolved = /\.where\(resolve\(\) is ([A-Za-z]+)\)$/.exec(expression);
  if (resolved) {
    refType = resolved[1];
    expression = expression.slice(0, resolved.index);
  }
  if (expression.startsWith('(')) {
    const close = matchingParen(expression, 0);
    const inner = /^(.+) as ([A-Za-z]+)$/.exec(expression.slice(1, close).trim());
    if (inner) expression = `${inner[1]}.ofType(${inner[2]})${expression.slice(close + 1)}`;
  } else {
    const bare = /^([^()]+) as ([A-Za-z]+)$/.exec(expression);
    if (bare) expression = `${bare[1]}.ofType(${bare[2]})`;
  }
  expression = expression
    .replace(/\.as\(([A-Za-z]+)\)/g, '.ofType($1)')
    .replace(/ofType\(DateTime\)/g, 'ofType(dateTime)');
  return refType === undefined ? { expression } : { expression, refType };
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  throw new Error(`unbalanced parentheses in ${text}`);
}
