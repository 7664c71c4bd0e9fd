import type { OperationOutcomeIssue } from './outcome.ts';

/**
 * The one error type that crosses module boundaries. Anything thrown as a FhirError is
 * answered with its status and an OperationOutcome; anything else is a 500 whose details
 * stay in the log (never raw SQL or stack traces in a response).
 */
export class FhirError extends Error {
  readonly status: number;
  readonly issues: OperationOutcomeIssue[];
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    issues: OperationOutcomeIssue[] | string,
    options: { code?: OperationOutcomeIssue['code']; headers?: Record<string, string> } = {},
  ) {
    const list =
      typeof issues === 'string'
        ? [{ severity: 'error' as const, code: options.code ?? defaultCode(status), diagnostics: issues }]
        : issues;
    super(list.map((i) => i.diagnostics ?? i.code).join('; '));
    this.name = 'FhirError';
    this.status = status;
    this.issues = list;
    this.headers = options.headers ?? {};
  }
}

export function defaultCode(status: number): OperationOutcomeIssue['code'] {
  switch (status) {
    case 400:
      return 'invalid';
    case 401:
      return 'login';
    case 403:
      return 'forbidden';
    case 404:
    case 410:
      return 'not-found';
    case 405:
      return 'not-supported';
    case 409:
    case 412:
      return 'conflict';
    case 413:
      return 'too-costly';
    case 415:
      return 'not-supported';
    case 422:
      return 'processing';
    default:
      return 'exception';
  }
}

export const badRequest = (msg: string, code: OperationOutcomeIssue['code'] = 'invalid') =>
  new FhirError(400, msg, { code });
export const notFound = (msg: string) => new FhirError(404, msg, { code: 'not-found' });
export const unprocessable = (issues: OperationOutcomeIssue[] | string) => new FhirError(422, issues);
export const preconditionFailed = (msg: string) => new FhirError(412, msg, { code: 'conflict' });
export const conflict = (msg: string) => new FhirError(409, msg, { code: 'conflict' });
