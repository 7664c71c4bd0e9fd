import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { parameters } from '../collective/changes.ts';
import type { AccountDeps } from './account-deps.ts';
import {
  clustersOfRole,
  current,
  functionOf,
  functionsAt,
  idOf,
  managesFunction,
  nameOf,
  requireResponsible,
  verifiedOf,
  type Json,
} from './function-roles.ts';
import { AGB_SYSTEM, FUNCTION_SYSTEM } from './vocabulary.ts';

const telecom = (role: Json, system: string): string | undefined =>
  ((role.telecom ?? []) as Json[]).find((t) => t.system === system)?.value;

/**
 * `GET Organization/[id]/$persons` (seed "Ik wil autorisaties aanpassen en functies
 * deactiveren": the page 'Personen'): for a responsible admin, the people with functions at the
 * organisation that they manage, each with their account's state and per function: code,
 * active, verified (when, by whom), AGB, correspondence e-mail and phone, clusters.
 */
export function listPersons(deps: AccountDeps) {
  return async (ctx: RestContext, organizationId: string): Promise<FhirResult> => {
    const scope = await requireResponsible(ctx, organizationId);
    const roles = (await functionsAt(deps, organizationId)).filter((r) =>
      managesFunction(scope, organizationId, functionOf(r)!, clustersOfRole(r)),
    );
    const byPerson = new Map<string, Json[]>();
    for (const r of roles) {
      const person = idOf(r.practitioner, 'Practitioner');
      if (person) byPerson.set(person, [...(byPerson.get(person) ?? []), r]);
    }
    const people = [];
    for (const [id, functions] of byPerson) {
      const practitioner = await current(deps.store, 'Practitioner', id);
      people.push({ id, practitioner, functions });
    }
    people.sort(
      (a, b) => nameOf(a.practitioner).localeCompare(nameOf(b.practitioner)) || a.id.localeCompare(b.id),
    );
    return {
      status: 200,
      headers: { 'Cache-Control': 'no-store' },
      resource: parameters(
        ...people.map(({ id, practitioner, functions }) => ({
          name: 'person',
          part: [
            {
              name: 'practitioner',
              valueReference: {
                reference: `Practitioner/${id}`,
                ...(nameOf(practitioner) ? { display: nameOf(practitioner) } : {}),
              },
            },
            { name: 'active', valueBoolean: practitioner?.active !== false },
            ...functions.map((r) => {
              const verified = verifiedOf(r);
              const agb = ((r.identifier ?? []) as Json[]).find((i) => i.system === AGB_SYSTEM)?.value;
              return {
                name: 'function',
                part: [
                  { name: 'role', valueReference: { reference: `PractitionerRole/${r.id as string}` } },
                  { name: 'code', valueCoding: { system: FUNCTION_SYSTEM, code: functionOf(r) } },
                  { name: 'active', valueBoolean: r.active !== false },
                  { name: 'verified', valueBoolean: verified !== undefined },
                  ...(verified?.at ? [{ name: 'verifiedAt', valueDateTime: verified.at }] : []),
                  ...(verified?.by
                    ? [{ name: 'verifiedBy', valueReference: { reference: verified.by } }]
                    : []),
                  ...(agb ? [{ name: 'agb', valueString: agb }] : []),
                  ...(telecom(r, 'email') ? [{ name: 'email', valueString: telecom(r, 'email') }] : []),
                  ...(telecom(r, 'phone') ? [{ name: 'phone', valueString: telecom(r, 'phone') }] : []),
                  ...clustersOfRole(r).map((c) => ({
                    name: 'cluster',
                    valueReference: { reference: `Organization/${c}` },
                  })),
                ],
              };
            }),
          ],
        })),
      ) as FhirResult['resource'],
    };
  };
}
