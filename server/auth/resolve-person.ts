import type { Logger } from 'pino';
import { FhirError } from '../fhir/errors.ts';
import type { SearchEngine } from '../fhir/search/engine.ts';
import type { ResourceStore } from '../fhir/storage/resource-store.ts';
import type { Resource } from '../fhir/storage/types.ts';
import {
  BSN_SYSTEM,
  findByIdentifier,
  findResources,
  URA_SYSTEM,
  UZI_PERSON_SYSTEM,
  ZRN_SYSTEM,
} from './find-by-identifier.ts';
import type {
  PatientPrincipal,
  PersonPrincipal,
  PractitionerPrincipal,
  PractitionerRoleRef,
  Via,
} from './principal.ts';
import type { UziCard } from './uzi/uzi-card.ts';
import { portalLogin } from './resolve-portal.ts';

/**
 * What a login proved, before it is tied to stored FHIR resources. A caregiver is named by UZI
 * number or ZRN; `ura` is the organisation they log in for (a UZI card's subscriber, a SAML
 * attribute), which then must be one where they hold an active PractitionerRole.
 */
export type LoginIdentity =
  | { kind: 'caregiver'; uziNumber?: string; zrn?: string; ura?: string; roleCode?: string; card?: UziCard }
  | { kind: 'patient'; bsn: string };

/** The Dutch 11-test ("elfproef") a BSN passes: weights 9..2 and -1 over nine digits. */
export function isValidBsn(bsn: string): boolean {
  if (!/^[0-9]{9}$/.test(bsn)) return false;
  const sum = [...bsn].reduce((s, d, i) => s + Number(d) * (i === 8 ? -1 : 9 - i), 0);
  return sum % 11 === 0 && bsn !== '000000000';
}

type Coding = { system?: string; code?: string };
type RoleResource = Resource & {
  active?: boolean;
  organization?: { reference?: string };
  code?: { coding?: Coding[] }[];
};

/**
 * A deactivated account (`Practitioner.active` false: the person or their responsible admin
 * switched it off) logs in no more, and a token issued before stops working on its next request.
 */
function refuseDeactivated(practitioner: Resource | undefined, what: string): void {
  if ((practitioner as { active?: unknown } | undefined)?.active === false) {
    throw new FhirError(403, `The account of ${what} is deactivated; the login is refused`, {
      code: 'forbidden',
    });
  }
}

function invalid(what: string): never {
  throw new FhirError(401, what, { code: 'login' });
}

function unknown(what: string): never {
  // A genuine login that names no one here: refused rather than an empty session.
  throw new FhirError(403, `${what} is not registered here; the login is refused`, { code: 'forbidden' });
}

const MAX_ROLES = 100;
/** A person's records by BSN: one per organisation that holds one, in practice a few. */
const MAX_RECORDS = 20;

/**
 * Login identities and account references → principals, resolved against the stored
 * Practitioner, PractitionerRole, Patient and RelatedPerson resources.
 */
export function createPersonResolver(deps: {
  store: ResourceStore;
  search: SearchEngine;
  logger?: Logger;
  /** The server's clock (a portal session's open services end on it); the real one by default. */
  clock?: () => Date;
}) {
  const { store, search } = deps;
  const now = deps.clock ?? (() => new Date());

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
    organizationId?: string,
  ): Promise<PractitionerPrincipal> {
    const all = await roles(practitionerId);
    return {
      kind: 'practitioner',
      practitionerId,
      roles: organizationId ? all.filter((r) => r.organizationId === organizationId) : all,
      via,
      ...(organizationId ? { organizationId } : {}),
      ...(card ? { card } : {}),
    };
  }

  /**
   * The person's Patient records by BSN (the first found is the one they act in): each organisation may hold its own
   * (a referrer who could not see the patient's record makes one, HealthcareService/$refer), and
   * the person sees them all.
   */
  async function recordsOf(bsn: string): Promise<Resource[]> {
    const found = await findResources(
      store,
      search,
      'Patient',
      `identifier=${encodeURIComponent(`${BSN_SYSTEM}|${bsn}`)}`,
      MAX_RECORDS,
    );
    return found.filter((p, i, all) => all.findIndex((q) => q.id === p.id) === i);
  }

  /**
   * The other records of the acting one's person: a mistyped BSN (a referrer's own record) must
   * not show a stranger's referral, so only those with the same birth date and, when both have a
   * family name, the same last word of it (prefixes and partner names vary).
   */
  function personsRecords(acting: Resource, others: Resource[]): string[] {
    const kept = others.filter((r) => r.id !== acting.id && samePerson(acting, r));
    const left = others.filter((r) => r.id !== acting.id).length - kept.length;
    if (left > 0) {
      deps.logger?.warn(
        { patient: acting.id, leftOut: left },
        'patient login: records with the same BSN but another birth date or family name left out',
      );
    }
    return kept.map((r) => r.id!);
  }

  /** The other records (by BSN) of a person acting in `patient`. */
  async function otherRecords(patient: Resource): Promise<string[]> {
    const bsn = ((patient.identifier ?? []) as { system?: string; value?: string }[]).find(
      (i) => i.system === BSN_SYSTEM && i.value && isValidBsn(i.value),
    )?.value;
    return bsn ? personsRecords(patient, await recordsOf(bsn)) : [];
  }

  async function exists(resourceType: string, id: string): Promise<Resource | undefined> {
    const v = await store.read(resourceType, id);
    return v?.content ? (JSON.parse(v.content) as Resource) : undefined;
  }

  return {
    async fromIdentity(identity: LoginIdentity, via: Via): Promise<PersonPrincipal> {
      if (identity.kind === 'caregiver') {
        const { uziNumber, zrn, ura } = identity;
        const named = uziNumber
          ? { identifier: `${UZI_PERSON_SYSTEM}|${uziNumber}`, what: `UZI number ${uziNumber}` }
          : zrn
            ? { identifier: `${ZRN_SYSTEM}|${zrn}`, what: `ZRN ${zrn}` }
            : invalid('The login names no caregiver (neither a UZI number nor a ZRN)');
        const id = await findByIdentifier(store, search, 'Practitioner', named.identifier);
        if (!id) unknown(`${named.what} (no Practitioner with that identifier)`);
        refuseDeactivated(await exists('Practitioner', id), named.what);
        const principal = await practitioner(id, via, identity.card);
        if (ura === undefined) return principal;
        // Logged in for one organisation: act only in the roles held there.
        const organizationId = await findByIdentifier(store, search, 'Organization', `${URA_SYSTEM}|${ura}`);
        const roles = principal.roles.filter((r) => organizationId && r.organizationId === organizationId);
        if (!roles.length) {
          unknown(
            `${named.what} holds no active PractitionerRole at the organisation with URA ${ura}` +
              (organizationId ? '' : ' (no Organization with that URA is registered)'),
          );
        }
        return { ...principal, roles, ...(organizationId ? { organizationId } : {}) };
      }
      if (!isValidBsn(identity.bsn)) invalid('The login names no valid BSN (it fails the 11-test)');
      const [acting, ...others] = await recordsOf(identity.bsn);
      if (!acting) unknown('This BSN (no Patient with it)');
      const id = acting.id!;
      const records = personsRecords(acting, others);
      const patient: PatientPrincipal = {
        kind: 'patient',
        patientId: id,
        via,
        ...(records.length ? { records } : {}),
      };
      return patient;
    },

    /**
     * A person by reference (`Practitioner/1`, `Patient/2`, `RelatedPerson/3`, a portal account's
     * `Person/4`), as a token names its user. For a practitioner, `organizationId` keeps the
     * organisation their login was for (a SMART token carries it from the login); for a portal
     * account, `session` is the login session (the SMART grant) its session codes are bound to.
     */
    async fromReference(
      reference: string,
      via: Via,
      organizationId?: string,
      session?: string,
    ): Promise<PersonPrincipal> {
      const [type, id, rest] = reference.split('/');
      if (!id || rest !== undefined) unknown(reference);
      const found = type === 'Practitioner' ? await exists(type, id) : undefined;
      if (found) {
        refuseDeactivated(found, reference);
        return practitioner(id, via, undefined, organizationId);
      }
      if (type === 'Patient') {
        const patient = await exists(type, id);
        if (patient) {
          const records = await otherRecords(patient);
          return {
            kind: 'patient',
            patientId: id,
            via,
            ...(records.length ? { records } : {}),
          };
        }
      }
      if (type === 'Person') {
        const login = await portalLogin(id, via, session, { store, search, now, read: exists, otherRecords });
        if (login) return login;
      }
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

type Named = { birthDate?: string; name?: { use?: string; family?: string }[] };

/** The last word of the (official, else first) family name, lower case. */
function familyKey(r: Named): string | undefined {
  const name = r.name?.find((n) => n.use === 'official' && n.family) ?? r.name?.find((n) => n.family);
  return (
    name?.family
      ?.trim()
      .split(/[\s-]+/)
      .pop()
      ?.toLowerCase() || undefined
  );
}

function samePerson(a: Resource, b: Resource): boolean {
  const [x, y] = [a as Named, b as Named];
  if (!x.birthDate || x.birthDate !== y.birthDate) return false;
  const [fx, fy] = [familyKey(x), familyKey(y)];
  return fx === undefined || fy === undefined || fx === fy;
}

export type PersonResolver = ReturnType<typeof createPersonResolver>;
