import { readdirSync, readFileSync } from 'node:fs';
import type { RestContext } from '../../fhir/rest/types.ts';
import { findResources } from '../../auth/find-by-identifier.ts';
import { refuse } from '../language.ts';
import type { CollectiveDeps } from './changes.ts';
import type { Json } from './directory.ts';

const DIR = new URL('../../../profiles/plan-templates/', import.meta.url);

/**
 * The plan templates every collective has (profiles/plan-templates: bipolar disorder, urticaria,
 * psoriasis, acne, hemangioma, dermatology, diabetes, COPD, lifestyle), as PlanDefinitions whose
 * actions are the plan's modules (reports, messages, photos, goals, questionnaires, mood meter,
 * diary, …). `npm run seed` also stores them, so they can be read like any PlanDefinition.
 */
export const BUILT_IN_TEMPLATES: ReadonlyMap<string, Json> = new Map(
  readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as Json)
    .map((d) => [d.url as string, d]),
);

/**
 * The template a `$start-plan` names: a canonical URL, or a built-in's id (`care-plan-psoriasis`)
 * or short name (`psoriasis`). A stored PlanDefinition with that URL (one an institution made
 * to measure) comes first.
 */
export async function planTemplate(
  ctx: RestContext,
  deps: Pick<CollectiveDeps, 'store' | 'search'>,
  named: string,
): Promise<Json> {
  const url = /^https?:/.test(named)
    ? named
    : `https://zorgpoort.nl/fhir/PlanDefinition/${named.startsWith('care-plan-') ? named : `care-plan-${named}`}`;
  const [stored] = (await findResources(
    deps.store,
    deps.search,
    'PlanDefinition',
    `url=${encodeURIComponent(url)}&status=active`,
    1,
  )) as Json[];
  const template = stored ?? BUILT_IN_TEMPLATES.get(url);
  if (!template) {
    const known = [...BUILT_IN_TEMPLATES.values()]
      .map((t) => (t.id as string).replace(/^care-plan-/, ''))
      .join(', ');
    refuse(ctx.language, 422, 'not-found', {
      en: `No plan template '${named}'; the built-in ones are ${known}, or give the URL of an active PlanDefinition`,
      nl: `Geen behandelplansjabloon '${named}'; ingebouwd zijn ${known}, of geef de URL van een actieve PlanDefinition`,
    });
  }
  return template;
}

/** A plan's modules from its template: one activity per action, not started yet. */
export function activitiesOf(template: Json): Record<string, unknown>[] {
  return ((template.action ?? []) as Json[]).map((a) => ({
    detail: {
      ...(a.code?.[0] ? { code: a.code[0] } : {}),
      status: 'not-started',
      ...(a.title ? { description: a.title } : {}),
    },
  }));
}
