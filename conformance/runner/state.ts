import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4/index.js';
import type { Exchange } from './exchange.ts';
import type { Resource } from './fixtures.ts';
import type { TestScript } from './model.ts';
import type { OperationOutcomeIssueLike, ProfileChecker } from './profiles.ts';
import { xpathToFhirPath } from './xpath.ts';

export interface RunOptions {
  /** Base URL per TestScript destination (1-based); destination 1 is the default. */
  bases: string[];
  today: Date;
  /** Values given on the command line, which win over a variable's own definition. */
  vars: Map<string, string>;
  fixtureDirs: string[];
  timeoutMs: number;
  /** A script's own token → the token to send instead (per-patient tokens of the server under test). */
  tokenMap: Map<string, string>;
  /** Sent as Authorization on requests that name none themselves (the server's own credentials). */
  authorization?: string;
  profiles: ProfileChecker;
  /** Asserts known to be wrong in a script: reported as skipped with the reason, never as passed. */
  waivers: Waiver[];
}

export interface Waiver {
  /** TestScript.id */
  script: string;
  /** The assert's label, or the start of its description. */
  assert: string;
  reason: string;
}

/** What a `sourceId`/`targetId` names: a fixture file, or a request/response captured earlier. */
export interface Source {
  resource?: Resource;
  exchange?: Exchange;
}

export class RunState {
  readonly sources = new Map<string, Source>();
  last: Exchange | undefined;
  /** Fixtures this run created (autocreate), deleted again by autodelete. */
  readonly created = new Map<string, { type: string; id: string }>();

  constructor(
    readonly script: TestScript,
    readonly options: RunOptions,
  ) {}

  source(id: string | undefined): Source | undefined {
    if (id === undefined)
      return this.last ? { exchange: this.last, resource: this.last.response?.resource } : undefined;
    return this.sources.get(id);
  }

  /** A variable's value now, or undefined when it has none. */
  variable(name: string): string | undefined {
    const given = this.options.vars.get(name);
    if (given !== undefined) return given;
    const v = this.script.variables.find((x) => x.name === name);
    if (!v) return undefined;
    const src =
      v.sourceId !== undefined || v.expression || v.headerField || v.path
        ? this.source(v.sourceId)
        : undefined;
    let found: string | undefined;
    if (src && v.headerField) found = src.exchange?.response?.headers[v.headerField.toLowerCase()];
    const expression =
      v.expression ?? (v.path ? (xpathToFhirPath(v.path) ?? v.path.replace(/\//g, '.')) : undefined);
    if (src?.resource && expression && found === undefined) {
      found = evaluateStrings(src.resource, expression)[0];
    }
    return found ?? v.defaultValue;
  }

  /** `${name}` → the variable's value; a variable without a value is an error. */
  substitute(text: string): string {
    return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
      const value = this.variable(name.trim());
      if (value === undefined)
        throw new Error(`variable '${name}' has no value (give it with --var ${name}=…)`);
      return value;
    });
  }
}

const TYPE_ERROR = /"([a-z][A-Za-z]*)" cannot be resolved to a valid type identifier/;

/**
 * FHIRPath over the R4 model. Nictiz writes `is(coding)`; type names are case-sensitive, and a
 * lenient engine silently matches nothing there, which makes `….exists().not()` pass without
 * checking anything. The runner reads the name as the FHIR type it differs from only in case
 * (`Coding`) and so checks what the assert means.
 */
export function evaluate(resource: unknown, expression: string): unknown[] {
  for (let attempt = 0; ; attempt++) {
    try {
      return fhirpath.evaluate(resource as object, expression, undefined, r4) as unknown[];
    } catch (e) {
      const m = TYPE_ERROR.exec((e as Error).message);
      if (!m || attempt > 3) throw e;
      const name = m[1]!;
      const fixed = name[0]!.toUpperCase() + name.slice(1);
      expression = expression
        .replace(new RegExp(`\\b(is|as|ofType)\\(\\s*${name}\\s*\\)`, 'g'), `$1(${fixed})`)
        .replace(new RegExp(`\\b(is|as)\\s+${name}\\b`, 'g'), `$1 ${fixed}`);
    }
  }
}

export function evaluateStrings(resource: unknown, expression: string): string[] {
  return evaluate(resource, expression).map((v) =>
    typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v),
  );
}

export type { OperationOutcomeIssueLike };
