import type { AuthorizedStore } from '../../access/authorized-store.ts';
import type { AuditTrail } from '../../audit/audit-trail.ts';
import type { SearchEngine } from '../search/engine.ts';
import type { ProfileValidator } from '../validation/index.ts';
import type { Resource } from '../storage/types.ts';
import type { OperationOutcomeIssue } from '../outcome.ts';
import { parseFhirJson } from '../format/json.ts';
import type { Principal } from '../../auth/principal.ts';

export interface ResourceValidator {
  validate(resource: unknown, options?: { expectedType?: string }): OperationOutcomeIssue[];
  /** The profiles the server holds (profiles/nl-core), for $validate. */
  readonly profiles: ProfileValidator;
}

export interface RestLimits {
  maxBundleEntries: number;
  maxHistoryCount: number;
  defaultHistoryCount: number;
  defaultSearchCount: number;
  maxSearchCount: number;
  maxIncludes: number;
}

/**
 * What every interaction needs. `store` is the caller's view of the store (their access policy
 * applied to every read, search and write); it may be bound to a Bundle's database transaction.
 */
export interface RestContext {
  /** Who is calling (domain operations act for them; interactions go through `store`). */
  principal: Principal;
  store: AuthorizedStore;
  search: SearchEngine;
  validator: ResourceValidator;
  limits: RestLimits;
  /** Base URL of this server as the client sees it, without a trailing slash. */
  baseUrl: string;
  /** The request's access log: each interaction is recorded as it ends (server/audit). */
  audit?: AuditTrail;
  /** Accept-Language: `nl` or `en`; undefined gives messages in both. */
  language?: 'nl' | 'en';
}

/**
 * What an interaction answers, before formatting. `json` is the stored text when the
 * resource came straight from the database, so a JSON read can skip parse + stringify.
 */
export interface FhirResult {
  status: number;
  headers: Record<string, string>;
  resource?: Resource;
  json?: string;
  /** Shown instead of the resource with `Prefer: return=OperationOutcome`. */
  outcomeText?: string;
  /** An answer that is no FHIR resource (a CSV export), sent as it is with its content type. */
  body?: { contentType: string; content: string };
}

export interface Preconditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifNoneExist?: string;
}

export function resultResource(result: FhirResult): Resource | undefined {
  if (result.resource) return result.resource;
  return result.json ? (parseFhirJson(result.json) as Resource) : undefined;
}
