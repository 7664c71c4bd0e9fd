import { FhirError } from '../../errors.ts';
import type { SearchParamRegistry, SearchParam } from '../registry/registry.ts';
import type { Condition } from '../types.ts';

/** What a per-type compiler gets: the parameter, its modifier, and the OR-list of raw values. */
export interface ParamQuery {
  param: SearchParam;
  /** The name as the client wrote it, for error messages. */
  name: string;
  modifier: string | undefined;
  /** Raw (still escaped) values of the comma-separated OR list. */
  values: string[];
}

export interface CompileContext {
  registry: SearchParamRegistry;
  /** This server's base URL: absolute references to it are read as `Type/id`. */
  baseUrl: string;
  /** Milliseconds since the epoch, for `ap`. */
  now: number;
}

export type ParamCompiler = (q: ParamQuery, ctx: CompileContext) => Condition;

export function unsupportedModifier(q: ParamQuery): never {
  throw new FhirError(
    400,
    `${q.name}: modifier ':${q.modifier}' is not supported for ${q.param.type} parameters`,
    {
      code: 'not-supported',
    },
  );
}

export { and, or } from '../conditions.ts';
