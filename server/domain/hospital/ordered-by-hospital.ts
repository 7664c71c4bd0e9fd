import { custodianOf as holderOf } from '../../access/rules/treatment-relationship.ts';
import type { Json } from './json.ts';

const custodianOf = (r: Json): string | undefined => holderOf(r as Parameters<typeof holderOf>[0]);

const organisationOf = (reference: string | undefined, included: Map<string, Json>): string | undefined => {
  if (!reference) return undefined;
  if (reference.startsWith('Organization/')) return reference.slice('Organization/'.length);
  if (reference.startsWith('PractitionerRole/')) {
    const org = included.get(reference)?.organization?.reference as string | undefined;
    return org?.startsWith('Organization/') ? org.slice('Organization/'.length) : undefined;
  }
  return undefined;
};

/**
 * "Hier ziet u enkel uitslagen aangevraagd door het ziekenhuis. De aanvragen vanuit de huisarts
 * worden niet getoond" (seed 002 §2.5). A result is the hospital's own request unless its order
 * (`basedOn`, a ServiceRequest) says otherwise: the order is held by another organisation than
 * the result (the GP's system placed it), or its requester is another organisation or a role
 * there. A result whose order the caller may not see is left out (it cannot be told apart); a
 * result that names no order is the hospital's (its laboratory's own feed).
 *
 * `included` holds the orders and their requesters as the caller sees them, by `Type/id`.
 */
export function orderedByHospital(result: Json, included: Map<string, Json>): boolean {
  const holder = custodianOf(result);
  for (const ref of result.basedOn ?? []) {
    const reference = ref?.reference as string | undefined;
    if (!reference?.startsWith('ServiceRequest/')) continue;
    const order = included.get(reference);
    if (!order) return false;
    const orderHolder = custodianOf(order);
    if (holder && orderHolder && orderHolder !== holder) return false;
    const requester = organisationOf(order.requester?.reference, included);
    if (holder && requester && requester !== holder) return false;
  }
  return true;
}
