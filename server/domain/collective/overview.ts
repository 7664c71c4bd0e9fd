import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import { BSN_SYSTEM } from '../../auth/find-by-identifier.ts';
import { refuse } from '../language.ts';
import { requireRole } from './authority.ts';
import { changeCollective, parameters, type CollectiveDeps } from './changes.ts';
import { nameOf, identifierValue, practitionerOf, rolesIn, teamMembers, type Json } from './directory.ts';
import { planCasemanagers } from './plan-records.ts';
import { GRN_SYSTEM } from './vocabulary.ts';

const DAY = 86_400_000;

/** Days of [start, end) that fall in [from, to). */
function daysIn(start: string | undefined, end: string | undefined, from: number, to: number): number {
  const lo = Math.max(start ? Date.parse(start) : from, from);
  const hi = Math.min(end ? Date.parse(end) : to, to);
  return hi > lo ? Math.ceil((hi - lo) / DAY) : 0;
}

/**
 * `GET Organization/[id]/$overview` (periodStart?, periodEnd?): the administrator's figures of
 * the collective: its active plans with the patient's name, birth date, gender and BSN; its
 * casemanagers with their number of active plans and the plans themselves; its groups; and a
 * billing specification (days each plan was active in the period, default the current month).
 * Administration, not care: the answer holds no clinical resource and reads none.
 */
export function collectiveOverview(deps: CollectiveDeps) {
  return async (ctx: RestContext, collectiveId: string, query: URLSearchParams): Promise<FhirResult> => {
    const today = new Date();
    const from =
      query.get('periodStart') ??
      new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1)).toISOString().slice(0, 10);
    const to =
      query.get('periodEnd') ??
      new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
    if (
      Number.isNaN(Date.parse(from)) ||
      Number.isNaN(Date.parse(to)) ||
      Date.parse(to) <= Date.parse(from)
    ) {
      refuse(ctx.language, 400, 'value', {
        en: "'periodStart' and 'periodEnd' are dates (YYYY-MM-DD), the end after the start",
        nl: "'periodStart' en 'periodEnd' zijn datums (JJJJ-MM-DD), het einde na het begin",
      });
    }
    const figures = await changeCollective(ctx, deps, collectiveId, async (changes) => {
      await requireRole(ctx, changes.directory, collectiveId, ['administrator'], {
        en: 'see its overview',
        nl: 'het overzicht ervan zien',
      });
      const [plans, members, groups] = await Promise.all([
        changes.directory.plans(collectiveId),
        changes.directory.members(collectiveId),
        changes.directory.groups(collectiveId),
      ]);
      const plansOf = new Map<string, string[]>();
      const active: { plan: Json; patient?: Json; caregivers: string[]; groups: string[] }[] = [];
      // Names of the people and groups in the overview (directory data, no clinical resource).
      const names = new Map<string, string>();
      const named = async (type: 'Practitioner' | 'CareTeam', id: string) => {
        const key = `${type}/${id}`;
        if (!names.has(key)) {
          const r = await changes.directory.read(type, id);
          names.set(key, type === 'Practitioner' ? nameOf(r) : String(r?.name ?? ''));
        }
        return key;
      };
      for (const plan of plans) {
        if (plan.status !== 'active') continue;
        const patientId = ((plan.subject as { reference?: string }).reference ?? '').replace(
          /^Patient\//,
          '',
        );
        const teamId = ((plan.careTeam as { reference?: string }[])[0]?.reference ?? '').replace(
          /^CareTeam\//,
          '',
        );
        const team = await changes.directory.read('CareTeam', teamId);
        for (const cm of team ? planCasemanagers(team) : [])
          plansOf.set(cm, [...(plansOf.get(cm) ?? []), plan.id as string]);
        const caregivers: string[] = [];
        for (const id of team ? teamMembers(team, 'Practitioner') : [])
          caregivers.push(await named('Practitioner', id));
        const teamGroups: string[] = [];
        for (const id of team ? teamMembers(team, 'CareTeam') : [])
          teamGroups.push(await named('CareTeam', id));
        active.push({
          plan,
          patient: await changes.directory.read('Patient', patientId),
          caregivers,
          groups: teamGroups,
        });
      }
      for (const m of members)
        if (rolesIn(m).has('casemanager')) await named('Practitioner', practitionerOf(m)!);
      return { plans, members, groups, active, plansOf, names };
    });
    const lo = Date.parse(from);
    const hi = Date.parse(to);
    const billing = figures.plans
      .map((plan) => ({
        plan,
        days: daysIn(
          (plan.period as { start?: string })?.start,
          (plan.period as { end?: string })?.end,
          lo,
          hi,
        ),
      }))
      .filter(({ plan, days }) => days > 0 && plan.status !== 'draft' && plan.status !== 'revoked');
    return {
      status: 200,
      headers: {},
      resource: parameters(
        ...figures.active.map(({ plan, patient, caregivers, groups }) => ({
          name: 'activePlan',
          part: [
            { name: 'carePlan', valueReference: { reference: `CarePlan/${plan.id as string}` } },
            { name: 'title', valueString: plan.title },
            { name: 'patientName', valueString: nameOf(patient) },
            ...(patient?.birthDate ? [{ name: 'birthDate', valueDate: patient.birthDate }] : []),
            ...(patient?.gender ? [{ name: 'gender', valueCode: patient.gender }] : []),
            ...(patient && identifierValue(patient, BSN_SYSTEM)
              ? [{ name: 'bsn', valueString: identifierValue(patient, BSN_SYSTEM) }]
              : []),
            // The caregivers involved (detailpagina van de betrokken zorgverleners): on their own, and groups.
            ...caregivers.map((reference) => ({
              name: 'caregiver',
              valueReference: { reference, display: figures.names.get(reference) },
            })),
            ...groups.map((reference) => ({
              name: 'group',
              valueReference: { reference, display: figures.names.get(reference) },
            })),
          ],
        })),
        ...figures.members
          .filter((m) => rolesIn(m).has('casemanager'))
          .map((m) => {
            const id = practitionerOf(m)!;
            const own = figures.plansOf.get(id) ?? [];
            return {
              name: 'casemanager',
              part: [
                {
                  name: 'practitioner',
                  valueReference: {
                    reference: `Practitioner/${id}`,
                    display: figures.names.get(`Practitioner/${id}`),
                  },
                },
                { name: 'activePlans', valueInteger: own.length },
                ...own.map((planId) => ({
                  name: 'carePlan',
                  valueReference: { reference: `CarePlan/${planId}` },
                })),
              ],
            };
          }),
        ...figures.groups
          .filter((g) => g.status !== 'inactive')
          .map((g) => ({
            name: 'group',
            part: [
              { name: 'careTeam', valueReference: { reference: `CareTeam/${g.id as string}` } },
              { name: 'name', valueString: g.name ?? '' },
              { name: 'grn', valueString: identifierValue(g, GRN_SYSTEM) },
              { name: 'members', valueInteger: teamMembers(g, 'Practitioner').length },
            ],
          })),
        {
          name: 'billing',
          part: [
            { name: 'periodStart', valueDate: from },
            { name: 'periodEnd', valueDate: to },
            { name: 'planDays', valueInteger: billing.reduce((n, b) => n + b.days, 0) },
            ...billing.map(({ plan, days }) => ({
              name: 'plan',
              part: [
                { name: 'carePlan', valueReference: { reference: `CarePlan/${plan.id as string}` } },
                { name: 'title', valueString: plan.title },
                { name: 'days', valueInteger: days },
              ],
            })),
          ],
        },
      ) as FhirResult['resource'],
    };
  };
}
