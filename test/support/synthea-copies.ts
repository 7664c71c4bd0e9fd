import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { rewriteReferences } from '../../server/fhir/bundle/references.ts';
import type { Resource } from '../../server/fhir/storage/types.ts';

const DAY = 86_400_000;

const DIR = new URL('../fixtures/synthea/', import.meta.url);
const bundles = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map(
    (f) =>
      (
        JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as {
          entry: { fullUrl: string; resource: Resource }[];
        }
      ).entry,
  );

const FAMILIES = [
  'de Vries', 'Jansen', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder',
  'de Groot', 'Bos', 'Vos', 'Peters', 'Hendriks', 'van Leeuwen', 'Dekker', 'Brouwer', 'de Wit',
  'Dijkstra', 'Smits', 'de Graaf', 'van der Meer', 'van der Linden', 'Kok', 'Jacobs', 'de Haan',
  'Vermeulen', 'van Dijk', 'Schouten', 'Willems', 'Hoekstra', 'Koster', 'Verhoeven', 'Prins',
  'Huisman', 'Kuipers', 'Postma', 'Wouters', 'Maas', 'Kramer',
]; // prettier-ignore

/** Every date and dateTime in the JSON text moved by `days`; times and zones are kept. */
function shiftDates(json: string, days: number): string {
  return json.replace(
    /"(\d{4})-(\d{2})-(\d{2})(T[^"]*)?"/g,
    (_, y: string, m: string, d: string, time?: string) => {
      const shifted = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)) + days * DAY);
      return `"${shifted.toISOString().slice(0, 10)}${time ?? ''}"`;
    },
  );
}

export interface Item {
  resourceType: string;
  id: string;
  resource: Resource;
}

/** Copy `k` of the ten bundles: new ids, its own patients and a date shift of up to ±5 years. */
export function syntheaCopy(k: number): Item[] {
  const days = ((k * 53) % 3650) - 1825;
  return bundles.flatMap((entries, b) => {
    const ids = entries.map(() => randomUUID());
    const map = new Map(entries.map((e, i) => [e.fullUrl, `${e.resource.resourceType}/${ids[i]}`]));
    return entries.map((e, i) => {
      const id = ids[i]!;
      const resource = JSON.parse(
        shiftDates(JSON.stringify(rewriteReferences(e.resource, map)), days),
      ) as Resource;
      resource.id = id;
      if (resource.resourceType === 'Patient') {
        const names = resource.name as { family?: string }[];
        names.forEach((n, j) => (n.family = FAMILIES[(k * 10 + b + j * 7) % FAMILIES.length]));
        for (const ident of resource.identifier as { system: string; value: string }[]) {
          ident.value = ident.value === e.resource.id ? id : `${ident.value}-${k}`;
        }
      }
      return { resourceType: resource.resourceType, id, resource };
    });
  });
}
