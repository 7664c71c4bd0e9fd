import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import type { AccountDeps } from './account-deps.ts';
import { changeFunctions, functionRole, ok } from './function-changes.ts';
import { covers, functionScope, requireFunction, type FunctionScope } from './functions.ts';
import {
  clustersOfRole,
  current,
  functionOf,
  functionsOf,
  idOf,
  managesFunction,
  rolesOf,
  type Json,
} from './function-roles.ts';
import { VERIFIED_EXTENSION } from './vocabulary.ts';

const callerId = (ctx: RestContext) =>
  ctx.principal.kind === 'practitioner' ? ctx.principal.practitionerId : undefined;

/** Whether a responsible admin's scope covers this function (its organisation, its clusters). */
const manages = (scope: FunctionScope, role: Json) => {
  const org = idOf(role.organization, 'Organization');
  return org !== undefined && managesFunction(scope, org, functionOf(role)!, clustersOfRole(role));
};

/**
 * Whether a responsible admin answers for a role of any kind: a platform function as `manages`;
 * any other role (not the platform's, but its holder logs in to the same server) only an admin
 * over its whole organisation.
 */
const managesRole = (scope: FunctionScope, role: Json) => {
  if (functionOf(role) !== undefined) return manages(scope, role);
  const org = idOf(role.organization, 'Organization');
  return org !== undefined && covers(scope, org);
};

function notResponsible(ctx: RestContext, roleId: string): never {
  refuse(ctx.language, 403, 'forbidden', {
    en: `You are not a responsible admin (admin-responsible) over PractitionerRole/${roleId}: its organisation, or every cluster it is bound to`,
    nl: `U bent geen verantwoordelijk beheerder (admin-responsible) over PractitionerRole/${roleId}: de organisatie, of elk cluster waaraan de functie gebonden is`,
  });
}

/**
 * `POST PractitionerRole/[id]/$verify-function` (seed "Ik wil aanmeldingen verifiëren"): a
 * responsible admin over the function confirms it is right: the `function-verified` extension
 * (when, by whom). Never by its holder (four eyes), never of an inactive function.
 */
export function verifyFunction(deps: AccountDeps) {
  return async (ctx: RestContext, id: string): Promise<FhirResult> => {
    const scope = await requireFunction(ctx, 'admin-responsible');
    const role = await functionRole(ctx, deps, id);
    if (!manages(scope, role)) notResponsible(ctx, id);
    if (idOf(role.practitioner, 'Practitioner') === callerId(ctx)) {
      refuse(ctx.language, 403, 'forbidden', {
        en: 'Your own function is verified by another responsible admin (four eyes)',
        nl: 'Uw eigen functie wordt door een andere verantwoordelijk beheerder geverifieerd (vier ogen)',
      });
    }
    return changeFunctions(ctx, deps, async (changes) => {
      const now = await changes.locked('PractitionerRole', id);
      if (!now || now.active === false) {
        refuse(ctx.language, 409, 'business-rule', {
          en: 'This function is deactivated; reactivate it before verifying it',
          nl: 'Deze functie is gedeactiveerd; activeer hem eerst opnieuw',
        });
      }
      const verified = {
        ...now,
        extension: [
          ...((now.extension ?? []) as Json[]).filter((e) => e.url !== VERIFIED_EXTENSION),
          {
            url: VERIFIED_EXTENSION,
            extension: [
              { url: 'at', valueDateTime: deps.clock().toISOString() },
              { url: 'by', valueReference: { reference: `Practitioner/${callerId(ctx)!}` } },
            ],
          },
        ],
      };
      await changes.put(verified);
      return ok(verified);
    });
  };
}

/**
 * `POST PractitionerRole/[id]/$deactivate-function` and `$reactivate-function` (seed "Als een
 * collega uit dienst is, kun je de functie deactiveren"): the function only, the person keeps
 * their others. Deactivated by a responsible admin over it or by its holder; reactivated by a
 * responsible admin only, and only on an active account. It holds from the next request on
 * (`functionScope` and the login read PractitionerRoles fresh and skip inactive ones).
 */
export function setFunctionActive(deps: AccountDeps, active: boolean) {
  return async (ctx: RestContext, id: string): Promise<FhirResult> => {
    const role = await functionRole(ctx, deps, id);
    const own = idOf(role.practitioner, 'Practitioner') === callerId(ctx) && callerId(ctx) !== undefined;
    if (!(own && !active)) {
      const scope = await requireFunction(ctx, 'admin-responsible');
      if (!manages(scope, role)) notResponsible(ctx, id);
    }
    return changeFunctions(ctx, deps, async (changes) => {
      const now = (await changes.locked('PractitionerRole', id))!;
      if (active) {
        const person = idOf(now.practitioner, 'Practitioner');
        const practitioner = person ? await current(changes.raw, 'Practitioner', person) : undefined;
        if (!practitioner || practitioner.active === false) {
          refuse(ctx.language, 409, 'business-rule', {
            en: "This person's account is deactivated: reactivate the account ($reactivate-account) first",
            nl: 'Het account van deze persoon is gedeactiveerd: activeer eerst het account ($reactivate-account)',
          });
        }
      }
      const changed = { ...now, active };
      if (now.active !== active) await changes.put(changed);
      return ok(changed);
    });
  };
}

/**
 * `POST Practitioner/[id]/$deactivate-account` (seed "Het deactiveren van je persoonsaccount")
 * and `$reactivate-account`: the whole account. Deactivating: the person themself, or a
 * responsible admin over every function they hold and every other active role (any organisation:
 * the account is their login to the whole server); `Practitioner.active` false, every function
 * inactive, the password login disabled and every SMART login ended. Reactivating: such an
 * admin only; the account and its password login come back, its functions stay as they are (an
 * admin reactivates each that still holds).
 */
export function setAccountActive(deps: AccountDeps, active: boolean) {
  return async (ctx: RestContext, id: string): Promise<FhirResult> => {
    const person = await current(deps.store, 'Practitioner', id);
    const own = callerId(ctx) === id;
    const roles = await functionsOf(deps, id);
    if (!person || (!own && !roles.length)) {
      refuse(ctx.language, 404, 'not-found', {
        en: `Practitioner/${id} has no account on this platform`,
        nl: `Practitioner/${id} heeft geen account op dit platform`,
      });
    }
    if (!(own && !active)) {
      const scope = await functionScope(ctx, 'admin-responsible');
      // The account is the person's login to the whole server: only an admin answering for every
      // active role they hold (any code, any organisation) may switch it off or on.
      const held = (await rolesOf(deps, id)).filter((r) => r.active !== false);
      const outside = held.filter((r) => !managesRole(scope, r));
      if (!scope.size || roles.some((r) => !manages(scope, r)) || outside.length) {
        refuse(ctx.language, 403, 'forbidden', {
          en: `A whole account is ${active ? 'reactivated' : 'deactivated'} by a responsible admin over every role the person holds, at any organisation${active ? '' : ', or by the person themself'}, and this person holds roles you do not manage. For the functions at your organisation use PractitionerRole/[id]/$${active ? 'reactivate' : 'deactivate'}-function`,
          nl: `Een heel account wordt ${active ? 'geactiveerd' : 'gedeactiveerd'} door een verantwoordelijk beheerder over alle rollen van de persoon, bij elke organisatie${active ? '' : ', of door de persoon zelf'}, en deze persoon heeft rollen die u niet beheert. Gebruik voor de functies bij uw organisatie PractitionerRole/[id]/$${active ? 'reactivate' : 'deactivate'}-function`,
        });
      }
    }
    const ref = `Practitioner/${id}`;
    const result = await changeFunctions(ctx, deps, async (changes) => {
      const now = (await changes.locked('Practitioner', id))!;
      const changed = { ...now, active };
      if (now.active !== active) await changes.put(changed);
      if (!active) {
        for (const r of roles) {
          const role = await changes.locked('PractitionerRole', r.id as string);
          if (role && role.active !== false) await changes.put({ ...role, active: false });
        }
      }
      return changed;
    });
    if (active) await deps.passwords?.enable(ref);
    else {
      await deps.passwords?.disable(ref);
      await deps.revokeTokens?.(ref);
    }
    return ok(result);
  };
}
