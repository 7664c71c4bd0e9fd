/**
 * Expands, at generation time, the ValueSets that required bindings of the profiles name, as far as
 * they are enumerable from the definitions at hand: explicit concept lists, whole CodeSystems whose
 * concepts are all present, and other ValueSets built that way. A ValueSet with a filter, an
 * exclusion, or a system we do not hold (SNOMED CT, LOINC, most Nictiz/DECOR sets) is not
 * expanded; the validator then says the binding was not checked.
 */
import type { ConformanceResource } from './package-cache.ts';

interface Concept {
  code: string;
  concept?: Concept[];
}
interface Include {
  system?: string;
  concept?: { code: string }[];
  filter?: unknown[];
  valueSet?: string[];
}
interface ValueSetResource extends ConformanceResource {
  compose?: { include?: Include[]; exclude?: Include[] };
  expansion?: { contains?: { system?: string; code?: string; contains?: unknown[] }[] };
}

/** One expansion: each code with its system. */
export interface Expansion {
  url: string;
  codes: { system: string; code: string }[];
}

const stripVersion = (url: string): string => url.split('|')[0]!;

function flatten(concepts: Concept[] | undefined, out: string[]): void {
  for (const c of concepts ?? []) {
    out.push(c.code);
    flatten(c.concept, out);
  }
}

export class ValueSetExpander {
  private readonly valueSets = new Map<string, ValueSetResource>();
  private readonly codeSystems = new Map<string, ConformanceResource>();
  private readonly memo = new Map<string, Expansion | undefined>();

  constructor(resources: ConformanceResource[]) {
    for (const r of resources) {
      if (!r.url) continue;
      if (r.resourceType === 'ValueSet') this.valueSets.set(r.url, r as ValueSetResource);
      if (r.resourceType === 'CodeSystem') this.codeSystems.set(r.url, r);
    }
  }

  /** The expansion, or undefined when the ValueSet is unknown or not enumerable here. */
  expand(canonical: string, seen: Set<string> = new Set()): Expansion | undefined {
    const url = stripVersion(canonical);
    if (this.memo.has(url)) return this.memo.get(url);
    if (seen.has(url)) return undefined;
    seen.add(url);
    const result = this.compute(url, seen);
    this.memo.set(url, result);
    return result;
  }

  private compute(url: string, seen: Set<string>): Expansion | undefined {
    const vs = this.valueSets.get(url);
    if (!vs) return undefined;
    if (vs.compose?.exclude?.length) return undefined;
    const codes: { system: string; code: string }[] = [];
    const includes = vs.compose?.include;
    if (!includes?.length) return this.fromExpansion(url, vs);
    for (const include of includes) {
      const part = this.include(include, seen);
      if (!part) return undefined;
      codes.push(...part);
    }
    return { url, codes };
  }

  private fromExpansion(url: string, vs: ValueSetResource): Expansion | undefined {
    const contains = vs.expansion?.contains;
    if (!contains?.length) return undefined;
    const codes: { system: string; code: string }[] = [];
    const walk = (list: typeof contains): void => {
      for (const c of list) {
        if (c.system && c.code) codes.push({ system: c.system, code: c.code });
        if (Array.isArray(c.contains)) walk(c.contains as typeof contains);
      }
    };
    walk(contains);
    return { url, codes };
  }

  private include(include: Include, seen: Set<string>): { system: string; code: string }[] | undefined {
    if (include.filter?.length) return undefined;
    if (include.valueSet?.length) {
      // An include with several valueSets (and/or a system) is their intersection: not handled.
      if (include.valueSet.length > 1 || include.system) return undefined;
      return this.expand(include.valueSet[0]!, seen)?.codes;
    }
    if (!include.system) return undefined;
    const system = include.system;
    if (include.concept?.length) return include.concept.map((c) => ({ system, code: c.code }));
    const cs = this.codeSystems.get(system);
    if (!cs || cs.content !== 'complete') return undefined;
    const codes: string[] = [];
    flatten(cs.concept as Concept[] | undefined, codes);
    return codes.map((code) => ({ system, code }));
  }
}
