import jsonpatch from 'fast-json-patch';
import type { JsonPatchError, Operation } from 'fast-json-patch';
import { FhirError, badRequest, unprocessable } from '../errors.ts';

type JsonPatchErrorName = JsonPatchError['name'];

// Errors fast-json-patch raises about the shape of the patch document itself; every
// other JsonPatchError means a well-formed patch that cannot be applied to this resource.
const MALFORMED: ReadonlySet<JsonPatchErrorName> = new Set<JsonPatchErrorName>([
  'SEQUENCE_NOT_AN_ARRAY',
  'OPERATION_NOT_AN_OBJECT',
  'OPERATION_OP_INVALID',
  'OPERATION_PATH_INVALID',
  'OPERATION_FROM_REQUIRED',
  'OPERATION_VALUE_REQUIRED',
  'OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED',
]);

/**
 * Applies an RFC 6902 JSON Patch document to a copy of `resource`.
 * Malformed documents are a 400; operations that do not apply (failing `test`,
 * unresolvable paths, out-of-range indexes) are a 422.
 */
export function applyJsonPatch(
  resource: Record<string, unknown>,
  operations: unknown,
): Record<string, unknown> {
  const shapeError = jsonpatch.validate(operations as Operation[]);
  if (shapeError) throw badRequest(describe('Invalid JSON Patch document', shapeError));

  const target = structuredClone(resource);
  try {
    const result = jsonpatch.applyPatch(target, operations as Operation[], true, true, true);
    const patched: unknown = result.newDocument;
    if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) {
      throw unprocessable('JSON Patch must leave a JSON object as the resource');
    }
    return patched as Record<string, unknown>;
  } catch (err) {
    if (err instanceof FhirError) throw err;
    if (err instanceof jsonpatch.JsonPatchError) {
      if (MALFORMED.has(err.name)) throw badRequest(describe('Invalid JSON Patch document', err));
      throw unprocessable(describe('JSON Patch could not be applied', err));
    }
    // banPrototypeModifications throws a plain Error for __proto__ paths.
    throw unprocessable(`JSON Patch could not be applied: ${(err as Error).message}`);
  }
}

function describe(prefix: string, err: JsonPatchError): string {
  const at = err.index === undefined ? '' : ` (operation ${err.index})`;
  return `${prefix}${at}: ${err.message.split('\n')[0]}`;
}
