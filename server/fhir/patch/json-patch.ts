import jsonpatch from 'fast-json-patch';
import type { JsonPatchError, Operation } from 'fast-json-patch';
import { FhirError, badRequest, unprocessable } from '../errors.ts';
import { cloneFhirJson, decimalText, setDecimalText } from '../format/json.ts';

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

  let patched: unknown = cloneFhirJson(resource);
  try {
    (operations as Operation[]).forEach((op, i) => {
      patched = applyOperation(patched, op, i);
    });
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

/**
 * One operation, with the written text of the numbers it puts in place (`"value": 2.50` stays
 * `2.50`, see ../format/json.ts); a number put without one loses the text of the one it replaced.
 * `copy` copies through JSON.stringify, so a copied object is copied again with its texts.
 */
function applyOperation(document: unknown, op: Operation, index: number): unknown {
  const from = op.op === 'copy' || op.op === 'move' ? locate(document, op.from) : undefined;
  const source = from?.holder[from.key];
  const text =
    op.op === 'add' || op.op === 'replace'
      ? decimalText(op, 'value')
      : from && decimalText(from.holder, from.key);
  const result: unknown = jsonpatch.applyOperation(document, op, true, true, true, index).newDocument;
  if (op.op !== 'add' && op.op !== 'replace' && op.op !== 'copy' && op.op !== 'move') return result;
  const to = locate(result, op.path);
  if (!to) return result;
  if (typeof to.holder[to.key] === 'number') setDecimalText(to.holder, to.key, text);
  else if (op.op === 'copy' && typeof source === 'object' && source !== null)
    to.holder[to.key] = cloneFhirJson(source);
  return result;
}

/** The object or array a JSON Pointer's last step is in, and that step (`-` is the last item). */
function locate(
  document: unknown,
  pointer: string,
): { holder: Record<string, unknown>; key: string } | undefined {
  if (!pointer) return undefined;
  const steps = pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = document;
  for (const step of steps.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  if (typeof node !== 'object' || node === null) return undefined;
  const last = steps.at(-1)!;
  const key = last === '-' && Array.isArray(node) ? String(node.length - 1) : last;
  return { holder: node as Record<string, unknown>, key };
}
