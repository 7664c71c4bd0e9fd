/**
 * Validation against the profiles the server holds (profiles/nl-core/: the Nictiz zib2020
 * StructureDefinitions with generated snapshots, plus the R4 extensions and datatype profiles they
 * use). Base R4 validation (schema and rules) is the ResourceValidator's job; this checks what a
 * profile adds.
 */
import type { OperationOutcomeIssue } from '../../outcome.ts';
import { loadProfileRegistry, type ProfileRegistry } from './registry.ts';
import type { StructureDefinition } from './types.ts';
import { isObject } from './values.ts';
import { ProfileWalker } from './walker.ts';

export type { StructureDefinition } from './types.ts';
export { ProfileRegistry, loadProfileRegistry } from './registry.ts';

/** At most this many issues per profile; a hopeless resource should not produce megabytes. */
const MAX_PROFILE_ISSUES = 100;
const SEVERITY_ORDER: OperationOutcomeIssue['severity'][] = ['fatal', 'error', 'warning', 'information'];

export interface ProfileValidator {
  /** Is the profile with this canonical URL (`|version` ignored) loaded? */
  isLoaded(url: string): boolean;
  /** The issues of `resource` against the profile; undefined when the profile is not loaded. */
  validate(resource: unknown, url: string): OperationOutcomeIssue[] | undefined;
  /** The loaded StructureDefinition (snapshot, trimmed to what validation reads). */
  structureDefinition(url: string): StructureDefinition | undefined;
  /** Canonical URLs of all loaded profiles. */
  urls(): string[];
}

export function createProfileValidator(registry: ProfileRegistry = loadProfileRegistry()): ProfileValidator {
  return {
    isLoaded: (url) => registry.has(url),
    structureDefinition: (url) => registry.get(url),
    urls: () => registry.urls(),
    validate(resource, url) {
      const tree = registry.tree(url);
      if (!tree) return undefined;
      const sd = tree.sd;
      const type = isObject(resource) ? resource.resourceType : undefined;
      if (sd.kind === 'resource' && type !== sd.type) {
        return [
          {
            severity: 'error',
            code: 'invalid',
            diagnostics: `Profile ${sd.url} is for ${sd.type}, not ${String(type)}`,
          },
        ];
      }
      const location = typeof type === 'string' ? type : sd.type;
      const issues = new ProfileWalker(registry, resource).run(tree, { value: resource, type: sd.type, location });
      return dedupe(issues);
    },
  };
}

let shared: ProfileValidator | undefined;

/** Validates against a loaded profile; undefined when the server does not hold it. */
export function validateAgainstProfile(resource: unknown, profileUrl: string): OperationOutcomeIssue[] | undefined {
  shared ??= createProfileValidator();
  return shared.validate(resource, profileUrl);
}

/** Is the profile loaded? */
export function isProfileLoaded(profileUrl: string): boolean {
  shared ??= createProfileValidator();
  return shared.isLoaded(profileUrl);
}

function dedupe(issues: OperationOutcomeIssue[]): OperationOutcomeIssue[] {
  const unique = new Map<string, OperationOutcomeIssue>();
  for (const issue of issues) {
    unique.set(`${issue.severity}|${issue.code}|${issue.expression?.join(',')}|${issue.diagnostics}`, issue);
  }
  const all = [...unique.values()];
  if (all.length <= MAX_PROFILE_ISSUES) return all;
  all.sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity)); // errors survive the cut
  const kept = all.slice(0, MAX_PROFILE_ISSUES);
  kept.push({
    severity: 'information',
    code: 'too-costly',
    diagnostics: `${all.length - kept.length} further profile validation issues were not reported`,
  });
  return kept;
}
