import type { Principal } from '../../auth/principal.ts';
import type { AccessPolicy, Resource } from '../policy.ts';

type Ref = { reference?: string } | undefined;

/**
 * Who writes the entries of the care directory that say who a caller is and for whom they act
 * (a PractitionerRole makes its practitioner act for its organisation; an Organization's type
 * names places such as a GP out-of-hours post): only the organisation itself, through its system
 * client, for its own entries — never a person's login — and trusted callers. A caregiver who
 * could write a PractitionerRole could make themself staff of any hospital and reach its
 * patients. A practitioner may keep their own Practitioner record up to date; not someone else's.
 */
export function directoryWriteAllowed(principal: Principal, resource: Resource): boolean | undefined {
  // Conformance tokens (test mode only) load the Nictiz fixtures' directory as a system would.
  if (principal.kind === 'patient' && principal.writeAll) return undefined;
  const own = principal.kind === 'system' ? principal.organizationId : undefined;
  const ownRef = own ? `Organization/${own}` : undefined;
  switch (resource.resourceType) {
    case 'PractitionerRole':
      return ownRef !== undefined && (resource.organization as Ref)?.reference === ownRef;
    case 'Organization':
      return own !== undefined && (resource.id === own || (resource.partOf as Ref)?.reference === ownRef);
    case 'Practitioner':
      if (principal.kind === 'practitioner') return resource.id === principal.practitionerId;
      return principal.kind === 'system' && own !== undefined;
    default:
      return undefined;
  }
}

/** The policy with the directory rule over its writes (restricted callers only). */
export function withDirectoryRule(policy: AccessPolicy, principal: Principal): AccessPolicy {
  if (!policy.restricted) return policy;
  return {
    ...policy,
    canWrite: (resource, letter) => {
      const verdict = directoryWriteAllowed(principal, resource);
      return verdict === undefined
        ? policy.canWrite(resource, letter)
        : verdict && policy.canWrite(resource, letter);
    },
  };
}
