import type { OperationOutcomeIssue } from '../outcome.ts';
import { buildElementModel, type ElementModel } from './element-model.ts';
import { isKnownResourceType, loadFhirSchema } from './fhir-schema.ts';
import { finalizeIssues } from './issues.ts';
import { createProfileValidator, type ProfileValidator } from './profiles/index.ts';
import { buildResourceTree } from './resource-tree.ts';
import { createCalendarDateCheck } from './rules/calendar-dates.ts';
import { validateId, checkResourceIds } from './rules/id.ts';
import { checkNarratives } from './rules/narrative.ts';
import { checkPrimitiveValues } from './rules/primitive-values.ts';
import { checkReferences } from './rules/reference.ts';
import { checkRequiredPrimitives } from './rules/required-primitives.ts';
import { checkNestedResourceTypes, checkRootResourceType } from './rules/resource-type.ts';
import { SchemaValidator } from './schema-validator.ts';

export { isKnownResourceType, validateId };
export { MAX_ISSUES } from './issues.ts';
export {
  createProfileValidator,
  isProfileLoaded,
  validateAgainstProfile,
  type ProfileValidator,
  type StructureDefinition,
} from './profiles/index.ts';

export interface ValidateOptions {
  /** The type the request addresses (e.g. from `PUT /Patient/1`); a different resourceType is an error. */
  expectedType?: string;
}

export interface ResourceValidator {
  /** Returns the problems found, at most MAX_ISSUES; an empty array means the resource is valid. */
  validate(resource: unknown, options?: ValidateOptions): OperationOutcomeIssue[];
  /**
   * The profiles the server holds (profiles/nl-core/): `isLoaded(url)`, `validate(resource, url)`.
   * Loaded on first use, so a server that never validates against a profile does not read them.
   */
  readonly profiles: ProfileValidator;
}

export function createResourceValidator(): ResourceValidator {
  const schema = loadFhirSchema();
  const model: ElementModel = buildElementModel(schema.definitions);
  const schemaValidator = new SchemaValidator(schema);
  const isKnownType = (type: string): boolean => schema.resourceTypes.has(type);
  const checkCalendarDates = createCalendarDateCheck(schema);
  let profiles: ProfileValidator | undefined;

  return {
    get profiles() {
      profiles ??= createProfileValidator();
      return profiles;
    },
    validate(resource, options = {}) {
      const rootIssues = checkRootResourceType(resource, isKnownType, options.expectedType);
      if (rootIssues.length > 0) return rootIssues;
      const type = (resource as { resourceType: string }).resourceType;
      const tree = buildResourceTree(resource, type, model, isKnownType);
      return finalizeIssues([
        ...schemaValidator.validate(tree),
        ...checkNestedResourceTypes(tree, isKnownType),
        ...checkResourceIds(tree),
        ...checkReferences(tree, isKnownType),
        ...checkRequiredPrimitives(tree, schema.requiredPrimitives),
        ...checkPrimitiveValues(resource, type),
        ...checkCalendarDates(tree),
        ...checkNarratives(tree),
      ]);
    },
  };
}
