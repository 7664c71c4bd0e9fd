import { randomUUID } from 'node:crypto';
import { CUSTODIAN_SYSTEM } from '../../access/rules/treatment-relationship.ts';
import { loadCurrent } from '../../fhir/rest/read.ts';
import type { FhirRequest } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse } from '../language.ts';
import { readAs } from '../referral/parties.ts';
import { searchAll } from '../search-all.ts';
import { careProvidersOf } from './care-providers.ts';
import { PORTAL_ROLE_EXTENSION, type PortalRole } from './vocabulary.ts';

type Json = Record<string, unknown>;
type Ref = { reference?: string } | undefined;

export const PORTAL_PATIENT_OPERATION =
  'https://zorgpoort.nl/fhir/OperationDefinition/Patient-portal-patient';

/** `hospital=Organization/<id>` (or the bare id), else undefined; anything else is refused. */
export function hospitalParameter(ctx: RestContext, value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const id = /^(?:Organization\/)?([A-Za-z0-9\-.]{1,64})$/.exec(value.trim())?.[1];
  if (!id) {
    refuse(ctx.language, 400, 'invalid', {
      en: `Parameter 'hospital' names an organisation: Organization/<id>, got '${value}'`,
      nl: `Parameter 'hospital' noemt een organisatie: Organization/<id>, niet '${value}'`,
    });
  }
  return id;
}

/**
 * `GET Patient/[id]/$portal-patient[?hospital=Organization/<id>]`: the portal's patient
 * information screen (seed 002, 2.2) in one answer, everything read as the caller through the
 * gate. A Bundle of type `collection` (a view put together, not a search): the Patient (name,
 * numbers, BSN, birth date, gender, address, phone, e-mail are its own elements), each of its
 * care providers (Patient.generalPractitioner) with what it is — GP, dentist or pharmacy, see
 * care-providers.ts — and the insurance: each Coverage whose beneficiary is the patient
 * (insurer in `payor`, policy number in `subscriberId`/`identifier`, start in `period.start`)
 * with its insurer's Organization. Every entry says what it is on the screen in the extension
 * `portal-role` (patient, general-practitioner, dentist, pharmacy, insurance, insurer); a role
 * with no entry is not known ("Wij weten niet welke tandarts u heeft"). With `hospital`, only
 * the Coverage that hospital holds (its custodian tag). A Coverage the caller may not see (held
 * by another organisation, without the patient's permit) is not there; a hidden patient is 404,
 * as a missing one.
 */
export function portalPatient() {
  return async (ctx: RestContext, id: string, req: FhirRequest): Promise<FhirResult> => {
    const hospital = hospitalParameter(ctx, req.query.get('hospital'));
    const patient = JSON.parse((await loadCurrent(ctx, 'Patient', id)).content!) as Json;
    const entries = new Map<string, { resource: Json; roles: Set<PortalRole> }>();
    const add = (resource: Json, role: PortalRole) => {
      const key = `${resource.resourceType as string}/${resource.id as string}`;
      const entry = entries.get(key) ?? { resource, roles: new Set<PortalRole>() };
      entry.roles.add(role);
      entries.set(key, entry);
    };
    add(patient, 'patient');
    for (const provider of await careProvidersOf(ctx, patient)) {
      for (const resource of provider.resources) add(resource, provider.role);
    }
    const filter: [string, string][] = [['beneficiary', `Patient/${id}`]];
    if (hospital) filter.push(['_tag', `${CUSTODIAN_SYSTEM}|${hospital}`]);
    for (const row of await searchAll(ctx, { resourceType: 'Coverage' }, filter)) {
      const coverage = JSON.parse(row.content!) as Json;
      add(coverage, 'insurance');
      for (const payor of (coverage.payor ?? []) as Ref[]) {
        const insurer = await readAs(ctx, payor, ['Organization']);
        if (insurer) add(insurer, 'insurer');
      }
    }
    const bundle = {
      resourceType: 'Bundle',
      id: randomUUID(),
      type: 'collection',
      timestamp: new Date().toISOString(),
      entry: [...entries.values()].map(({ resource, roles }) => ({
        extension: [...roles].map((role) => ({ url: PORTAL_ROLE_EXTENSION, valueCode: role })),
        fullUrl: `${ctx.baseUrl}/${resource.resourceType as string}/${resource.id as string}`,
        resource,
      })),
    };
    return { status: 200, headers: {}, resource: bundle as Resource };
  };
}
