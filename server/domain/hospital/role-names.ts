import { readFileSync } from 'node:fs';

/** The UZI role code system, by URI and by OID (both are in use). */
export const UZI_ROLE_SYSTEMS = [
  'http://fhir.nl/fhir/NamingSystem/uzi-rolcode',
  'urn:oid:2.16.840.1.113883.2.4.15.111',
];

const uziRoles = new Map(
  (
    JSON.parse(
      readFileSync(new URL('../../../profiles/terminology/uzi-rolcode.json', import.meta.url), 'utf8'),
    ) as { concept: { code: string; display: string }[] }
  ).concept.map((c) => [c.code, c.display]),
);

/**
 * The function name (functienaam) of a role code `system|code`: the UZI role code list's
 * (01.015 → Huisarts), from the code alone, so no writer's words reach the access log; else undefined.
 */
export function roleDisplay(code: string): string | undefined {
  const [system, value] = code.split('|');
  return UZI_ROLE_SYSTEMS.includes(system ?? '') ? uziRoles.get(value ?? '') : undefined;
}

type HumanName = { text?: string; prefix?: string[]; given?: string[]; family?: string; use?: string };

/** A person's name as one line (`text`, else prefix, given and family), the official one first. */
export function nameLine(names: unknown): string | undefined {
  if (!Array.isArray(names)) return undefined;
  const list = names as HumanName[];
  const name = list.find((n) => n?.use === 'official') ?? list.find((n) => n?.use !== 'old') ?? list[0];
  if (!name) return undefined;
  const line =
    name.text ?? [...(name.prefix ?? []), ...(name.given ?? []), name.family].filter(Boolean).join(' ');
  return line.trim() || undefined;
}
