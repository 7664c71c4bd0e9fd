import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseFhirXml } from '../../server/fhir/format/xml/index.ts';
import { substitutePlaceholders } from './placeholders.ts';

export type Resource = Record<string, unknown> & { resourceType: string; id?: string };

/**
 * Finds a fixture's resource. A reference is a file path relative to the script (Nictiz:
 * `../_reference/resources/x.xml`), or `Type/id` as the HL7 example scripts write it, which is
 * looked up as `Type-id.json`/`.xml` next to the script and in the extra fixture folders.
 */
export function resolveFixtureFile(reference: string, scriptFile: string, searchDirs: string[]): string {
  const dirs = [dirname(scriptFile), ...searchDirs];
  const relative = resolve(dirname(scriptFile), reference);
  if (existsSync(relative) && !relative.endsWith('/')) return relative;
  const typed = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(reference);
  if (typed) {
    for (const dir of dirs) {
      for (const ext of ['json', 'xml']) {
        const candidate = join(dir, `${typed[1]}-${typed[2]}.${ext}`);
        if (existsSync(candidate)) return candidate;
      }
    }
  }
  throw new Error(
    `fixture '${reference}' not found (looked next to the script and in ${searchDirs.length} folder(s))`,
  );
}

export function readResourceFile(file: string, today: Date): Resource {
  const text = substitutePlaceholders(readFileSync(file, 'utf8'), today);
  const parsed = text.trimStart().startsWith('{') ? (JSON.parse(text) as unknown) : parseFhirXml(text);
  const resource = parsed as Resource;
  if (typeof resource?.resourceType !== 'string') throw new Error(`${file}: not a FHIR resource`);
  return resource;
}
