import { APPROVED_CRITERIA } from '../../access/rules/approved-only.ts';
import type { Json } from './json.ts';

/**
 * What the hospital has approved ("geaccordeerd door de medisch specialist", seed 002 §3): the
 * gate's criteria per type (server/access/rules/approved-only.ts), which the portal's screens
 * add to every search, for every holder's rows (the gate holds back only those of the
 * hospitals configured in ACCESS_APPROVED_ONLY, from others).
 */
export function approvedParams(type: string): [string, string][] {
  return [...new URLSearchParams(APPROVED_CRITERIA[type] ?? '')];
}

/** Never a row entered in error, whatever its type (the searches' criteria did the rest). */
export function isApproved(resource: Json): boolean {
  return resource.status !== 'entered-in-error';
}
