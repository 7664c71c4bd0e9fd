import { FhirError } from '../fhir/errors.ts';
import type { SearchEngine } from '../fhir/search/engine.ts';
import type { ResourceStore } from '../fhir/storage/resource-store.ts';
import type { Resource } from '../fhir/storage/types.ts';
import { BSN_SYSTEM, findByIdentifier, findResources, UZI_PERSON_SYSTEM } from './find-by-identifier.ts';
import type {
  PatientPrincipal,
  PersonPrincipal,
  PractitionerPrincipal,
  PractitionerRoleRef,
  Via,
} from './principal.ts';
import type { UziCard } from './uzi/uzi-card.ts';

/** What a login proved, before it is tied to stored FHIR resources. */
export type LoginIdentity =
  { kind: 'caregiver'; uziNumber: string; card?: UziCard } | { kind: 'patient'; bsn: string };

type Coding = { system?: string; code?: string };
type RoleResource = Resource & {
  active?: boolean;
  organization?: { reference?: string };
  code?: { coding?: Coding[] }[];
};

function unknown(what: string): never {
  // A genuine login that names no one here: refused rather than an empty session.
  throw new FhirError(403, `${what} is not registered here; the login is refused`, { code: 'forbidden' });
}

const MAX_ROLES = 100;

/**
 * Login identities and account references → principals, resolved against the stored
 * Practitioner, PractitionerRole, Patient and RelatedPerson resources.
 */
export function createPersonResolver(deps: { store: ResourceStore; search: SearchEngine }) {
  const { store, search } = deps;

  async function roles(practitionerId: string): Promise<PractitionerRoleRef[]> {
    const found = (await findResources(
      store,
      search,
      'PractitionerRole',
      `practitioner=Practitioner/${encodeURIComponent(practitionerId)}`,
      MAX_ROLES,
    )) as RoleResource[];
    return found
      .filter((r) => r.active !== false)
      .map((r) => ({
        practitionerRoleId: r.id!,
        organizationId: /^Organization\/([^/]+)$/.exec(r.organization?.reference ?? '')?.[1],
        codes: (r.code ?? []).flatMap((c) =>
          (c.coding ?? []).map((k) => `${k.system ?? ''}|${k.code ?? ''}`),
        ),
      }));
  }

  async function practitioner(
    practitionerId: string,
    via: Via,
    card?: UziCard,
  ): Promise<PractitionerPrincipal> {
    return {
      kind: 'practitioner',
      practitionerId,
      roles: await roles(practitionerId),
      via,
      ...(card ? { card } : {}),
    };
  }

  async function exists(resourceType: string, id: string): Promise<Resource | undefined> {
    const v = await store.read(resourceType, id);
    return v?.content ? (JSON.parse(v.content) as Resource) : undefined;
  }

  return {
    async fromIdentity(identity: LoginIdentity, via: Via): Promise<PersonPrincipal> {
      if (identity.kind === 'caregiver') {
        const id = await findByIdentifier(
          store,
          search,
          'Practitioner',
          `${UZI_PERSON_SYSTEM}|${identity.uziNumber}`,
        );
        if (!id)
          unknown(`UZI number ${identity.uziNumber} (no Practitioner with that uzi-nr-pers identifier)`);
        return practitioner(id, via, identity.card);
      }
      const id = await findByIdentifier(store, search, 'Patient', `${BSN_SYSTEM}|${identity.bsn}`);
      if (!id) unknown('This BSN (no Patient with it)');
      const patient: PatientPrincipal = { kind: 'patient', patientId: id, via };
      return patient;
    },

    /** A person reference (`Practitioner/1`, `Patient/2`, `RelatedPerson/3`), as a token names its user. */
    async fromReference(reference: string, via: Via): Promise<PersonPrincipal> {
      const [type, id, rest] = reference.split('/');
      if (!id || rest !== undefined) unknown(reference);
      if (type === 'Practitioner' && (await exists(type, id))) return practitioner(id, via);
      if (type === 'Patient' && (await exists(type, id))) return { kind: 'patient', patientId: id, via };
      if (type === 'RelatedPerson') {
        const related = (await exists(type, id)) as
          (Resource & { patient?: { reference?: string } }) | undefined;
        const patientId = /^Patient\/([^/]+)$/.exec(related?.patient?.reference ?? '')?.[1];
        if (related && patientId) return { kind: 'related-person', relatedPersonId: id, patientId, via };
      }
      unknown(reference);
    },
  };
}

export type PersonResolver = ReturnType<typeof createPersonResolver>;
