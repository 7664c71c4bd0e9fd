import type { Condition } from './types.ts';

/**
 * The one set of condition builders (search compilers, access rules, scopes). They simplify as
 * they build, and agree with both evaluators on the empty cases: `or()` matches nothing,
 * `and()` everything.
 */
export const TRUE: Condition = { kind: 'true' };
export const FALSE: Condition = { kind: 'false' };

export function or(args: Condition[]): Condition {
  if (args.some((a) => a.kind === 'true')) return TRUE;
  const rest = args.filter((a) => a.kind !== 'false');
  return rest.length === 0 ? FALSE : rest.length === 1 ? rest[0]! : { kind: 'or', args: rest };
}

export function and(args: Condition[]): Condition {
  if (args.some((a) => a.kind === 'false')) return FALSE;
  const rest = args.filter((a) => a.kind !== 'true');
  return rest.length === 0 ? TRUE : rest.length === 1 ? rest[0]! : { kind: 'and', args: rest };
}

export function not(arg: Condition): Condition {
  return arg.kind === 'true'
    ? FALSE
    : arg.kind === 'false'
      ? TRUE
      : arg.kind === 'not'
        ? arg.arg
        : { kind: 'not', arg };
}

/** The row is of one of these resource types. */
export function typeIn(types: readonly string[]): Condition {
  if (!types.length) return FALSE;
  return { kind: 'resource', column: 'type', where: [{ op: 'in', column: 'type', values: [...types] }] };
}
