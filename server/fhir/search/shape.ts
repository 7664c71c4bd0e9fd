import { readFileSync } from 'node:fs';
import { keepDecimalTexts } from '../format/json.ts';
import type { Meta, Resource } from '../storage/types.ts';

/**
 * `_summary` and `_elements` result shaping (R4 search §3.1.1.5.8-9), on top-level elements only: a kept
 * element is kept whole. Per-type element lists come from profiles/generated/summary-elements.json, made
 * by scripts/generate-summary-elements.ts (`npm run generate:summary`).
 */

interface SummaryElementsFile {
  [resourceType: string]: { summary: string[]; mandatory: string[]; choices: Record<string, string[]> };
}

interface ElementSets {
  summary: ReadonlySet<string>;
  mandatory: ReadonlySet<string>;
  /** Choice element name (`value`) -> its JSON names (`valueQuantity`, ...). */
  choices: ReadonlyMap<string, readonly string[]>;
}

export type SummaryMode = 'true' | 'text' | 'data';

export const SUBSETTED_TAG = Object.freeze({
  system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
  code: 'SUBSETTED',
});

const data = JSON.parse(
  readFileSync(new URL('../../../profiles/generated/summary-elements.json', import.meta.url), 'utf8'),
) as SummaryElementsFile;

const elementSets: ReadonlyMap<string, ElementSets> = new Map(
  Object.entries(data).map(([resourceType, info]) => [
    resourceType,
    {
      summary: new Set(info.summary),
      mandatory: new Set(info.mandatory),
      choices: new Map(Object.entries(info.choices)),
    },
  ]),
);

const noElements: ElementSets = { summary: new Set(), mandatory: new Set(), choices: new Map() };

const setsFor = (resourceType: string) => elementSets.get(resourceType) ?? noElements;

/**
 * The `_summary` form of `resource` (`false` and `count` are the caller's): `true` keeps the summary and
 * mandatory elements, `text` the narrative and mandatory elements, `data` all but the narrative.
 * `resourceType`, `id` and `meta` are always kept and `meta.tag` gets SUBSETTED, so the partial resource
 * is not mistaken for the whole one (e.g. written back with an update).
 *
 * Mandatory elements count as summary: the R4 definitions leave a few (Appointment.participant,
 * AuditEvent.agent/source, Provenance.agent) unmarked, and a summary without them would be invalid.
 *
 * Kept element values are shared with `resource`, not copied; the input itself is never modified.
 */
export function applySummary(resource: Resource, mode: SummaryMode): Resource {
  const { summary, mandatory } = setsFor(resource.resourceType);
  switch (mode) {
    case 'true':
      return subset(resource, (name) => summary.has(name) || mandatory.has(name));
    case 'text':
      return subset(resource, (name) => name === 'text' || mandatory.has(name));
    case 'data':
      return subset(resource, (name) => name !== 'text');
  }
}

/**
 * The `_elements` form of `resource`: the listed top-level elements plus the mandatory ones, with
 * `resourceType`, `id`, `meta` and the SUBSETTED tag as for {@link applySummary}. A choice element is
 * listed by its name without type (`value` keeps `valueQuantity`); names the resource lacks are ignored.
 */
export function applyElements(resource: Resource, elements: readonly string[]): Resource {
  const { mandatory, choices } = setsFor(resource.resourceType);
  const listed = new Set(elements.flatMap((name) => choices.get(name) ?? [name]));
  return subset(resource, (name) => listed.has(name) || mandatory.has(name));
}

/** `keep` is asked about element names; a primitive's `_name` sibling (id, extensions) goes with `name`. */
function subset(resource: Resource, keep: (element: string) => boolean): Resource {
  const out: Resource = keepDecimalTexts(resource, { resourceType: resource.resourceType });
  if (resource.id !== undefined) out.id = resource.id;
  out.meta = withSubsettedTag(resource.meta);
  for (const [key, value] of Object.entries(resource)) {
    if (key === 'resourceType' || key === 'id' || key === 'meta') continue;
    const element = key.startsWith('_') ? key.slice(1) : key;
    if (element === 'id' || keep(element)) out[key] = value;
  }
  return out;
}

function withSubsettedTag(meta: Meta | undefined): Meta {
  const tags: unknown[] = Array.isArray(meta?.tag) ? [...(meta.tag as unknown[])] : [];
  const tagged = tags.some((tag) => {
    const coding = tag as { system?: unknown; code?: unknown } | null;
    return coding?.system === SUBSETTED_TAG.system && coding.code === SUBSETTED_TAG.code;
  });
  if (!tagged) tags.push({ ...SUBSETTED_TAG });
  return { ...meta, tag: tags };
}
