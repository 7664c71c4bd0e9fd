import { mimeType, parseBody, type Exchange } from './exchange.ts';
import type { Resource } from './fixtures.ts';
import type { Assert } from './model.ts';
import { applyOperator, type OperatorResult } from './operators.ts';
import { runRule } from './rules.ts';
import { evaluate, evaluateStrings, type RunState } from './state.ts';
import { xpathToFhirPath } from './xpath.ts';

/** pass/fail with a reason, or skip with the reason the runner could not evaluate it. */
export type Verdict = { outcome: 'pass' | 'fail' | 'skip'; detail: string };

const RESPONSE_CODES: Record<string, number> = {
  okay: 200,
  created: 201,
  noContent: 204,
  notModified: 304,
  bad: 400,
  forbidden: 403,
  notFound: 404,
  methodNotAllowed: 405,
  conflict: 409,
  gone: 410,
  preconditionFailed: 412,
  unprocessable: 422,
};

const skip = (detail: string): Verdict => ({ outcome: 'skip', detail });
const verdict = (r: OperatorResult, what: string, operator: string): Verdict =>
  r
    ? { outcome: r.ok ? 'pass' : 'fail', detail: `${what}: ${r.detail}` }
    : skip(`operator '${operator}' is not supported`);

function expressionOf(a: { expression?: string; path?: string }): string | { skip: string } | undefined {
  if (a.expression !== undefined) return a.expression;
  if (a.path === undefined) return undefined;
  return (
    xpathToFhirPath(a.path) ?? {
      skip: `XPath '${a.path}' is beyond the plain child paths the runner translates`,
    }
  );
}

function headers(exchange: Exchange, direction: Assert['direction']): Record<string, string> | undefined {
  return direction === 'request' ? exchange.request.headers : exchange.response?.headers;
}

/** Each assert property, in the order R4 lists them; the first one present decides the kind. */
export function evaluateAssert(a: Assert, state: RunState): Verdict {
  if (a.rule !== undefined) return runRule(a.rule, state);
  const src = state.source(a.sourceId);
  const exchange = src?.exchange;
  // A request-direction assert looks at what was sent.
  const resource: Resource | undefined =
    a.direction === 'request'
      ? exchange?.request.body === undefined
        ? undefined
        : parseBody(exchange.request.body, exchange.request.headers['content-type'] ?? '').resource
      : src?.resource;
  const operator = a.operator ?? 'equals';

  if (a.requestMethod !== undefined) {
    if (!exchange) return { outcome: 'fail', detail: 'no request was made' };
    return verdict(
      applyOperator(operator, [exchange.request.method.toLowerCase()], a.requestMethod.toLowerCase()),
      'request method',
      operator,
    );
  }
  if (a.requestURL !== undefined) {
    if (!exchange) return { outcome: 'fail', detail: 'no request was made' };
    return verdict(
      applyOperator(operator, [exchange.request.url], state.substitute(a.requestURL)),
      'request URL',
      operator,
    );
  }
  if (a.responseCode !== undefined || a.response !== undefined) {
    const status = exchange?.response?.status;
    if (status === undefined) return { outcome: 'fail', detail: 'no response' };
    const expected = a.responseCode ?? String(RESPONSE_CODES[a.response!] ?? '');
    if (expected === '') return skip(`response '${a.response}' is not a known code`);
    return verdict(applyOperator(operator, [String(status)], expected), 'status', operator);
  }
  if (a.contentType !== undefined) {
    const h = exchange && headers(exchange, a.direction);
    if (!h) return { outcome: 'fail', detail: 'no exchange to check' };
    const actual = (h['content-type'] ?? '').split(';')[0]!.trim();
    const expected = mimeType(a.contentType)!;
    // `json`/`xml` also accept the generic types (application/json), as servers answer either.
    const ok = a.operator ? undefined : actual === expected || actual.endsWith(`/${a.contentType}`);
    if (ok !== undefined)
      return { outcome: ok ? 'pass' : 'fail', detail: `content type '${actual}', expected '${expected}'` };
    return verdict(applyOperator(operator, [actual], expected), 'content type', operator);
  }
  if (a.headerField !== undefined) {
    const h = exchange && headers(exchange, a.direction);
    if (!h) return { outcome: 'fail', detail: 'no exchange to check' };
    const value = h[a.headerField.toLowerCase()];
    const expected = a.value === undefined ? undefined : state.substitute(a.value);
    return verdict(
      applyOperator(operator, value === undefined ? [] : [value], expected),
      `header ${a.headerField}`,
      operator,
    );
  }
  if (a.resource !== undefined) {
    const type = resource?.resourceType;
    return {
      outcome: type === a.resource ? 'pass' : 'fail',
      detail: `resource type '${type ?? 'none'}', expected '${a.resource}'`,
    };
  }
  if (a.validateProfileId !== undefined) {
    const url = state.script.profiles.get(a.validateProfileId);
    if (!url) return skip(`profile id '${a.validateProfileId}' is not declared in the script`);
    if (!resource) return { outcome: 'fail', detail: 'no resource to validate' };
    const issues = state.options.profiles.check(resource, url);
    if (!issues) return skip(`profile ${url} is not loaded`);
    const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
    return errors.length
      ? {
          outcome: 'fail',
          detail: `${errors.length} error(s) against ${url}: ${errors
            .slice(0, 3)
            .map((e) => `${e.expression?.[0] ?? ''} ${e.diagnostics ?? ''}`)
            .join('; ')}`,
        }
      : { outcome: 'pass', detail: `valid against ${url}` };
  }
  if (a.minimumId !== undefined) {
    const minimum = state.source(a.minimumId)?.resource;
    if (!minimum) return skip(`minimumId '${a.minimumId}' names no fixture`);
    if (!resource) return { outcome: 'fail', detail: 'no resource to compare' };
    const missing = missingFromMinimum(resource, minimum);
    return missing
      ? { outcome: 'fail', detail: `missing ${missing}` }
      : { outcome: 'pass', detail: 'contains the minimum content' };
  }
  if (a.navigationLinks !== undefined) {
    // R4 only says the links are validated: a self link, and every link an absolute URL.
    const links = (resource?.link as { relation?: string; url?: string }[] | undefined) ?? [];
    const valid =
      links.some((l) => l.relation === 'self') &&
      links.every((l) => l.relation && /^https?:\/\//.test(l.url ?? ''));
    const ok = valid === a.navigationLinks;
    return {
      outcome: ok ? 'pass' : 'fail',
      detail: `links: ${links.map((l) => `${l.relation} ${l.url}`).join(', ') || 'none'}`,
    };
  }
  // Only a compareTo expression: it is evaluated on both sides.
  const own = a.compareToSourceId !== undefined && a.expression === undefined && a.path === undefined;
  const expression = expressionOf(
    own ? { expression: a.compareToSourceExpression, path: a.compareToSourcePath } : a,
  );
  if (typeof expression === 'object') return skip(expression.skip);
  if (expression !== undefined)
    return expressionAssert(a, state.substitute(expression), resource, operator, state);
  return skip('the assert has no property the runner evaluates');
}

function expressionAssert(
  a: Assert,
  expression: string,
  resource: Resource | undefined,
  operator: string,
  state: RunState,
): Verdict {
  if (!resource) return { outcome: 'fail', detail: `no resource to evaluate '${expression}' on` };
  let actual: string[];
  try {
    actual = evaluateStrings(resource, expression);
  } catch (e) {
    return { outcome: 'fail', detail: `'${expression}' does not evaluate: ${(e as Error).message}` };
  }
  if (a.compareToSourceId !== undefined) {
    const other = state.source(a.compareToSourceId)?.resource;
    const otherExpression = expressionOf({
      expression: a.compareToSourceExpression,
      path: a.compareToSourcePath,
    });
    if (!other)
      return { outcome: 'fail', detail: `compareToSourceId '${a.compareToSourceId}' has no resource` };
    if (typeof otherExpression === 'object') return skip(otherExpression.skip);
    if (otherExpression === undefined) return skip('compareToSourceId without an expression or path');
    const expected = evaluateStrings(other, state.substitute(otherExpression))[0];
    return verdict(applyOperator(operator, actual, expected), expression, operator);
  }
  if (a.value !== undefined || a.operator !== undefined) {
    const expected = a.value === undefined ? undefined : state.substitute(a.value);
    return verdict(applyOperator(operator, actual, expected), expression, operator);
  }
  const raw = evaluate(resource, expression);
  const ok = raw.length === 1 && raw[0] === true;
  return { outcome: ok ? 'pass' : 'fail', detail: `${expression} → ${JSON.stringify(raw).slice(0, 200)}` };
}

/** The first element of `minimum` (ids and meta aside) that `actual` lacks, or undefined. */
export function missingFromMinimum(actual: unknown, minimum: unknown, path = ''): string | undefined {
  if (Array.isArray(minimum)) {
    const list = Array.isArray(actual) ? actual : [];
    for (const [i, m] of minimum.entries()) {
      if (!list.some((x) => missingFromMinimum(x, m, `${path}[${i}]`) === undefined)) return `${path}[${i}]`;
    }
    return undefined;
  }
  if (minimum !== null && typeof minimum === 'object') {
    if (actual === null || typeof actual !== 'object') return path || 'resource';
    for (const [k, v] of Object.entries(minimum)) {
      if (path === '' && (k === 'id' || k === 'meta' || k === 'text')) continue;
      const miss = missingFromMinimum((actual as Record<string, unknown>)[k], v, path ? `${path}.${k}` : k);
      if (miss) return miss;
    }
    return undefined;
  }
  return actual === minimum ? undefined : path;
}
