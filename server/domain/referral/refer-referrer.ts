import type { RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import { searchAll } from '../search-all.ts';
import { functionScope } from './functions.ts';
import { CARE_FUNCTIONS, FUNCTION_SYSTEM, type CareFunction } from './vocabulary.ts';

type Json = Record<string, unknown>;
type Ref = { reference?: string } | undefined;
type Coding = { system?: string; code?: string };

/** Who refers: the person, the function (PractitionerRole) they refer in, its organisation. */
export interface Referrer {
  practitioner: Json;
  role: Json;
  function: CareFunction;
  organization: Json;
}

const careFunctionOf = (role: Json): CareFunction | undefined =>
  ((role.code ?? []) as { coding?: Coding[] }[])
    .flatMap((c) => c.coding ?? [])
    .filter((c) => c.system === FUNCTION_SYSTEM)
    .map((c) => c.code as CareFunction)
    .find((code) => CARE_FUNCTIONS.includes(code));

const parse = (v: { content?: string | null }) => JSON.parse(v.content ?? '{}') as Json;

/**
 * The caller's care function to refer in: the one named (`function`), else their only active
 * one. Only a person's login refers, with an active account and an active care function (gp,
 * midwife, specialist: functions.ts reads them fresh on every request); a deactivated one is
 * refused naming why.
 */
export async function referringFunction(ctx: RestContext, named: string | undefined): Promise<Referrer> {
  const p = ctx.principal;
  if (p.kind !== 'practitioner') {
    refuse(ctx.language, 403, 'forbidden', {
      en: `Referring needs a person's login holding a care function (${CARE_FUNCTIONS.join(', ')}); this caller is none`,
      nl: `Verwijzen vraagt de inlog van een persoon met een zorgfunctie (${CARE_FUNCTIONS.join(', ')}); deze aanroeper is dat niet`,
    });
  }
  const found = await ctx.store.lookup('Practitioner', p.practitionerId);
  const practitioner = found.kind === 'live' ? parse(found.version) : undefined;
  if (!practitioner || practitioner.active === false) {
    refuse(ctx.language, 403, 'forbidden', {
      en: 'Your account is deactivated: it cannot refer',
      nl: 'Uw account is gedeactiveerd: daarmee kunt u niet verwijzen',
    });
  }
  // Every role of the person, active or not, to say why one cannot be used.
  const roles = (
    await searchAll(ctx, { resourceType: 'PractitionerRole' }, [
      ['practitioner', `Practitioner/${p.practitionerId}`],
    ])
  ).map(parse);
  const active = new Set<string>();
  for (const fn of CARE_FUNCTIONS) {
    for (const entries of (await functionScope(ctx, fn)).values())
      for (const e of entries) active.add(e.roleId);
  }
  const usable = roles.filter((r) => active.has(r.id as string) && careFunctionOf(r));
  let role: Json | undefined;
  if (named) {
    role = roles.find((r) => `PractitionerRole/${r.id as string}` === named);
    if (!role) {
      refuse(ctx.language, 403, 'forbidden', {
        en: `${named} is not one of your functions`,
        nl: `${named} is geen functie van u`,
      });
    }
    const fn = careFunctionOf(role);
    if (!fn) {
      refuse(ctx.language, 403, 'forbidden', {
        en: `${named} is not a care function (${CARE_FUNCTIONS.join(', ')}): it cannot refer`,
        nl: `${named} is geen zorgfunctie (${CARE_FUNCTIONS.join(', ')}): daarmee kunt u niet verwijzen`,
      });
    }
    if (role.active === false) {
      refuse(ctx.language, 403, 'forbidden', {
        en: `Your function '${fn}' (${named}) is deactivated: it cannot refer`,
        nl: `Uw functie '${fn}' (${named}) is gedeactiveerd: daarmee kunt u niet verwijzen`,
      });
    }
    if (!active.has(role.id as string)) {
      refuse(ctx.language, 403, 'forbidden', {
        en: `Your function '${fn}' (${named}) is not one this login acts in (another organisation, or no organisation)`,
        nl: `Uw functie '${fn}' (${named}) hoort niet bij deze inlog (een andere organisatie, of geen organisatie)`,
      });
    }
  } else if (usable.length === 1) {
    role = usable[0]!;
  } else if (usable.length > 1) {
    refuse(ctx.language, 400, 'required', {
      en: `You hold several care functions; name the one you refer in with 'function': ${usable.map((r) => `PractitionerRole/${r.id as string}`).join(', ')}`,
      nl: `U heeft meerdere zorgfuncties; noem met 'function' de functie waarin u verwijst: ${usable.map((r) => `PractitionerRole/${r.id as string}`).join(', ')}`,
    });
  } else {
    const deactivated = roles.filter((r) => careFunctionOf(r) && r.active === false);
    refuse(
      ctx.language,
      403,
      'forbidden',
      deactivated.length
        ? {
            en: `Your care function (${deactivated.map(careFunctionOf).join(', ')}) is deactivated: it cannot refer`,
            nl: `Uw zorgfunctie (${deactivated.map(careFunctionOf).join(', ')}) is gedeactiveerd: daarmee kunt u niet verwijzen`,
          }
        : {
            en: `Referring needs an active care function (${CARE_FUNCTIONS.join(', ')}, ${FUNCTION_SYSTEM}) at an organisation; you hold none`,
            nl: `Verwijzen vraagt een actieve zorgfunctie (${CARE_FUNCTIONS.join(', ')}, ${FUNCTION_SYSTEM}) bij een organisatie; u heeft die niet`,
          },
    );
  }
  const organizationRef = (role.organization as Ref)?.reference ?? '';
  const org = await ctx.store.lookup('Organization', organizationRef.split('/')[1] ?? '');
  if (!organizationRef.startsWith('Organization/') || org.kind !== 'live') {
    refuse(ctx.language, 422, 'business-rule', {
      en: `Your function PractitionerRole/${role.id as string} names no organisation on this server`,
      nl: `Uw functie PractitionerRole/${role.id as string} noemt geen organisatie op deze server`,
    });
  }
  return { practitioner, role, function: careFunctionOf(role)!, organization: parse(org.version) };
}
