/**
 * Turns an official multi-type SearchParameter expression into what fhirpath.js can run for
 * one resource type. Two R4 idioms need rewriting rather than dropping:
 * - `X.where(resolve() is Patient)`: fhirpath.js only resolves asynchronously, and a search
 *   index must not fetch other resources; the reference's own `Type/id` says the same thing,
 *   so the part becomes `X` with a target-type filter applied at extraction.
 * - `(X as T)` / `X.as(T)` on a list: fhirpath.js insists on a singleton; R4 meant a type
 *   filter, which is `X.ofType(T)`.
 */

export interface ExpressionPart {
  expression: string;
  /** Keep only references whose target is this resource type. */
  resolveType?: string;
}

/** Splits on `|` outside parentheses and string literals. */
export function splitUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === "'") quote = false;
    } else if (c === "'") quote = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}

function stripOuterParens(part: string): string {
  while (part.startsWith('(') && part.endsWith(')') && splitUnion(part.slice(1, -1)).length === 1) {
    let depth = 0;
    let wraps = true;
    for (let i = 0; i < part.length - 1; i++) {
      if (part[i] === '(') depth++;
      else if (part[i] === ')') depth--;
      if (depth === 0) {
        wraps = false;
        break;
      }
    }
    if (!wraps) break;
    part = part.slice(1, -1).trim();
  }
  return part;
}

const RESOLVE_IS = /\.where\(\s*resolve\(\)\s+is\s+([A-Za-z]+)\s*\)$/;
const AS_OPERATOR = /^(.*\S)\s+as\s+([A-Za-z]+)$/;

export function rewritePart(raw: string): ExpressionPart {
  let expression = stripOuterParens(raw);
  const asOp = AS_OPERATOR.exec(expression);
  if (asOp) expression = `${stripOuterParens(asOp[1]!)}.ofType(${asOp[2]})`;
  expression = expression.replace(/\.as\(([A-Za-z]+)\)/g, '.ofType($1)');
  const resolve = RESOLVE_IS.exec(expression);
  if (resolve) {
    return { expression: expression.slice(0, resolve.index), resolveType: resolve[1] };
  }
  return { expression };
}

/** The first path segment: the resource type a part applies to (`Resource` applies to all). */
export function partBase(part: string): string {
  const m = /^\(*\s*([A-Za-z]+)/.exec(part);
  return m?.[1] ?? '';
}

/**
 * The parts of `expression` that apply to `resourceType`, rewritten. `Resource.` and
 * `DomainResource.` parts apply to every type.
 */
export function partsForType(expression: string, resourceType: string): ExpressionPart[] {
  return splitUnion(expression)
    .filter((p) => {
      const base = partBase(p);
      return base === resourceType || base === 'Resource' || base === 'DomainResource';
    })
    .map(rewritePart);
}
