import { FhirError } from '../../fhir/errors.ts';
import type { Resource } from '../../fhir/storage/types.ts';

/**
 * The tag on every resource a care collective manages (server/domain/collective): its
 * memberships and roles (PractitionerRole), caregiver groups and plan teams (CareTeam), plans
 * (CarePlan) and a plan's consent. The code is the collective's Organization id.
 */
export const COLLECTIVE_TAG_SYSTEM = 'https://zorgpoort.nl/fhir/CodeSystem/care-collective';

type Meta = { tag?: { system?: string; code?: string }[] };

/** The collective that manages this resource, if any. */
export function collectiveOf(resource: Resource | undefined): string | undefined {
  return (resource?.meta as Meta | undefined)?.tag?.find((t) => t.system === COLLECTIVE_TAG_SYSTEM)?.code;
}

/**
 * A collective's resources change only through its operations, where the server checks who may
 * (only a beheerder adds caregivers, only a casemanager starts a plan, …): a gated caller who
 * could write them directly could make themself a beheerder, or join a plan's team. Trusted
 * callers (the operator, a trusted integration) are not gated.
 */
export function assertNotCollectiveManaged(
  resourceType: string,
  id: string,
  ...versions: (Resource | undefined)[]
) {
  const collective = versions.map(collectiveOf).find((c) => c !== undefined);
  if (collective === undefined) return;
  throw new FhirError(
    403,
    `${resourceType}/${id} belongs to care collective Organization/${collective} and changes only through ` +
      `its operations ($add-caregiver, $create-group, $start-plan, … in the CapabilityStatement) / ` +
      `${resourceType}/${id} hoort bij zorgcollectief Organization/${collective} en verandert alleen via ` +
      `de operaties daarvan ($add-caregiver, $create-group, $start-plan, … in het CapabilityStatement)`,
    { code: 'forbidden' },
  );
}
