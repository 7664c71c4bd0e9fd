import type { BundleEntry } from '../../fhir/bundle/entry-request.ts';
import type { RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';

type Json = Record<string, unknown>;
type Identifier = { system?: unknown; value?: unknown };

/** A resource the request names, as stored here: its id and what the request shows of it. */
export interface Party {
  resourceType: string;
  id: string;
  stored: Json;
}

/** A FHIR search value with its special characters escaped (`\`, `,`, `$`, `|`). */
const escape = (v: string) => v.replace(/[\\,$|]/g, (c) => `\\${c}`);

const identifiers = (r: Json | undefined): { system: string; value: string }[] =>
  ((r?.identifier ?? []) as Identifier[]).flatMap((i) =>
    typeof i?.system === 'string' && typeof i.value === 'string' && i.value.trim()
      ? [{ system: i.system, value: i.value.trim() }]
      : [],
  );

/** How a refusal names an entry: its position, type and name or first identifier. */
export function described(index: number, resource: Json): string {
  const [first] = identifiers(resource);
  const name =
    typeof resource.name === 'string'
      ? resource.name
      : ((resource.name as { text?: string }[] | undefined)?.[0]?.text ?? undefined);
  const what = [name, first && `${first.system}|${first.value}`].filter(Boolean).join(', ');
  return `entry ${index} (${resource.resourceType as string}${what ? `: ${what}` : ''})`;
}

/** The stored resource `Type/id`, if the caller may see it. */
export async function storedParty(
  ctx: RestContext,
  resourceType: string,
  id: string,
): Promise<Party | undefined> {
  const found = await ctx.store.lookup(resourceType, id);
  if (found.kind !== 'live' || !found.version.content) return undefined;
  return { resourceType, id, stored: JSON.parse(found.version.content) as Json };
}

/**
 * The stored resource a request's entry stands for: by its id, else by one of its identifiers
 * (the URA of a practice, the UZI number of a caregiver). The request never creates one: a
 * practice or caregiver unknown here, or one its identifiers do not single out, is refused.
 */
export async function resolveEntry(ctx: RestContext, index: number, entry: BundleEntry): Promise<Party> {
  const resource = entry.resource!;
  const resourceType = resource.resourceType as string;
  if (typeof resource.id === 'string') {
    const byId = await storedParty(ctx, resourceType, resource.id);
    if (byId) return byId;
  }
  for (const { system, value } of identifiers(resource)) {
    const query = new URLSearchParams({ identifier: `${escape(system)}|${escape(value)}` }).toString();
    const { condition } = ctx.search.criteria(resourceType, query, ctx.baseUrl);
    const rows = await ctx.store.search.page({ types: [{ resourceType, condition }], sort: [], limit: 2 });
    if (rows.length === 1 && rows[0]!.content) {
      return { resourceType, id: rows[0]!.id, stored: JSON.parse(rows[0]!.content) as Json };
    }
    if (rows.length > 1) {
      refuse(ctx.language, 422, 'business-rule', {
        en: `The correction request's ${described(index, resource)}: ${system}|${value} names more than one ${resourceType} here`,
        nl: `Het correctieverzoek, ${described(index, resource)}: ${system}|${value} wijst hier meer dan één ${resourceType} aan`,
      });
    }
  }
  return refuse(ctx.language, 422, 'business-rule', {
    en: `The correction request's ${described(index, resource)} is not known here: it goes to a practice (and its caregivers) this server holds, named by id or identifier`,
    nl: `Het correctieverzoek, ${described(index, resource)}: die is hier niet bekend. Het verzoek gaat naar een praktijk (en haar zorgverleners) die deze server kent, aangewezen met id of identificatie`,
  });
}

const lastWord = (name: unknown) =>
  typeof name === 'string' ? name.trim().split(/\s+/).pop()?.toLowerCase() : undefined;
const familyOf = (r: Json) => lastWord((r.name as { family?: unknown }[] | undefined)?.[0]?.family);

/**
 * Whether the Patient a request carries is the caller's own record: the same id, or an
 * identifier in common (the practice's patient number; a BSN only when not masked) and none that
 * differs within one system; without a common identifier, the same birth date and family name.
 */
export function samePerson(given: Json, own: Party): boolean {
  if (given.id === own.id) return true;
  const mine = identifiers(own.stored);
  const theirs = identifiers(given);
  for (const { system } of theirs) {
    const a = new Set(mine.filter((i) => i.system === system).map((i) => i.value));
    const b = theirs.filter((i) => i.system === system).map((i) => i.value);
    if (a.size > 0 && !b.some((v) => a.has(v))) return false;
  }
  if (theirs.some((t) => mine.some((m) => m.system === t.system && m.value === t.value))) return true;
  const birthDate = typeof given.birthDate === 'string' ? given.birthDate : undefined;
  return (
    birthDate !== undefined &&
    birthDate === own.stored.birthDate &&
    familyOf(given) !== undefined &&
    familyOf(given) === familyOf(own.stored)
  );
}

/** A name for references' `display` and texts: the resource's text or its parts. */
export function displayName(r: Json): string | undefined {
  if (typeof r.name === 'string') return r.name;
  const name = (r.name as { text?: string; given?: string[]; family?: string }[] | undefined)?.[0];
  if (!name) return undefined;
  return name.text ?? ([...(name.given ?? []), name.family].filter(Boolean).join(' ') || undefined);
}
