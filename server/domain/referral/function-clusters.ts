import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import type { AccountDeps } from './account-deps.ts';
import { changeFunctions, functionRole, ok } from './function-changes.ts';
import { requireFunction } from './functions.ts';
import {
  clustersOf,
  clustersOfRole,
  functionOf,
  idOf,
  isAdminFunction,
  managesFunction,
  type Json,
} from './function-roles.ts';
import { CLUSTER_EXTENSION } from './vocabulary.ts';

type Parameter = { name?: string; valueReference?: { reference?: string }; valueString?: string };

/**
 * `POST PractitionerRole/[id]/$function-clusters` (seed "Ik wil autorisaties aanpassen": "of hem
 * of haar toegang geven tot clusters"): the clusters an admin function is bound to, replaced by
 * those named (none: the whole organisation). By a responsible admin who manages the function as
 * it is and as it becomes, so an admin of cluster A neither takes a function from cluster B nor
 * gives one cluster B.
 */
export function functionClusters(deps: AccountDeps) {
  return async (ctx: RestContext, id: string, body: unknown): Promise<FhirResult> => {
    const scope = await requireFunction(ctx, 'admin-responsible');
    const role = await functionRole(ctx, deps, id);
    const organization = idOf(role.organization, 'Organization');
    const code = functionOf(role)!;
    const list = ((body as { parameter?: Parameter[] } | undefined)?.parameter ?? []) as Parameter[];
    const wanted = [
      ...new Set(
        list
          .filter((p) => p.name === 'cluster')
          .map((p) => idOf(p.valueReference, 'Organization') ?? p.valueString?.trim() ?? ''),
      ),
    ];
    const before = clustersOfRole(role);
    if (
      !organization ||
      !managesFunction(scope, organization, code, before) ||
      !managesFunction(scope, organization, code, wanted)
    ) {
      refuse(ctx.language, 403, 'forbidden', {
        en: `You are not a responsible admin over PractitionerRole/${id} both with its clusters now and with those named`,
        nl: `U bent geen verantwoordelijk beheerder over PractitionerRole/${id}, zowel met de huidige als met de genoemde clusters`,
      });
    }
    if (!isAdminFunction(code)) {
      refuse(ctx.language, 400, 'business-rule', {
        en: `'${code}' is a care function: it is bound to no cluster`,
        nl: `'${code}' is een zorgverlenersfunctie: die is aan geen cluster gebonden`,
      });
    }
    const known = await clustersOf(deps, organization);
    const foreign = wanted.filter((c) => !known.has(c));
    if (foreign.length) {
      refuse(ctx.language, 422, 'invalid', {
        en: `Not a cluster of Organization/${organization}: ${foreign.join(', ')}`,
        nl: `Geen cluster van Organization/${organization}: ${foreign.join(', ')}`,
      });
    }
    return changeFunctions(ctx, deps, async (changes) => {
      const now = (await changes.locked('PractitionerRole', id))!;
      const extension = [
        ...((now.extension ?? []) as Json[]).filter((e) => e.url !== CLUSTER_EXTENSION),
        ...wanted.map((c) => ({
          url: CLUSTER_EXTENSION,
          valueReference: { reference: `Organization/${c}` },
        })),
      ];
      const { extension: _, ...rest } = now;
      const changed = extension.length ? { ...rest, extension } : rest;
      await changes.put(changed);
      return ok(changed);
    });
  };
}
