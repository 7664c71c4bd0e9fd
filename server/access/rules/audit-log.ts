import type { Principal } from '../../auth/principal.ts';
import { resourceScopes } from '../../auth/scope-syntax.ts';
import { or, TRUE, typeIn } from '../../fhir/search/conditions.ts';
import type { AccessPolicy } from '../policy.ts';

const HIDDEN: ReadonlySet<string> = new Set(['AuditEvent']);

/**
 * The access log (AuditEvent) is read by the patient it is about (through their compartment)
 * and by an auditor: a practitioner the configuration names (AUDITORS), or a system client (an
 * audit store, a SIEM) whose token names AuditEvent explicitly and without a query
 * (`system/AuditEvent.rs`; a `*` scope never grants it). Nobody else reads any. Only the server writes it: a patient or a caregiver
 * may not create one (a forged "who looked at my record"); a system client may submit its own
 * audit records (IHE BALP's audit record repository). No one changes or deletes one: the store
 * refuses those interactions on the type outright.
 */
export function withAuditLogRule(
  policy: AccessPolicy,
  principal: Principal,
  auditors: ReadonlySet<string>,
): AccessPolicy {
  const auditor =
    (principal.kind === 'practitioner' && auditors.has(principal.practitionerId)) ||
    (principal.kind === 'system' &&
      resourceScopes(principal.smart?.scope ?? '').some(
        (s) =>
          s.resourceType === 'AuditEvent' &&
          s.query === undefined &&
          (s.letters.has('r') || s.letters.has('s')),
      ));
  const readsOwnLog = principal.kind === 'patient';
  const mayCreate = principal.kind === 'system';
  // An auditor reads every patient's log, whatever else their rules let them see.
  const reads = auditor && policy.restricted ? everyAuditEvent(policy) : policy;
  return {
    ...reads,
    ...(auditor || readsOwnLog ? {} : { hiddenTypes: HIDDEN }),
    canWrite: (resource, letter) =>
      resource.resourceType === 'AuditEvent'
        ? mayCreate && letter === 'c' && policy.canWrite(resource, letter)
        : policy.canWrite(resource, letter),
  };
}

function everyAuditEvent(policy: AccessPolicy): AccessPolicy {
  const log = (type: string) => type === 'AuditEvent';
  return {
    ...policy,
    searchCondition: (type) => (log(type) ? TRUE : policy.searchCondition(type)),
    anyTypeCondition: or([policy.anyTypeCondition, typeIn(['AuditEvent'])]),
    canSee: (r) => log(r.resourceType) || policy.canSee(r),
    // What else they see of a patient rests on their own rules; the log on being the auditor.
    basisOf: (patientId) => {
      const own = policy.basisOf?.(patientId) ?? [];
      return own.length ? own : ['auditor'];
    },
  };
}
