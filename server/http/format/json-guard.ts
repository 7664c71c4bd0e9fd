import { FhirError } from '../../fhir/errors.ts';
import { parseFhirJson } from '../../fhir/format/json.ts';

/**
 * JSON.parse accepts duplicate keys (the last one wins) and any depth. FHIR forbids duplicates
 * and we bound depth, so one linear scan of the already-parsed text checks both. It only
 * tracks strings, brackets and which strings are object keys; JSON.parse has already
 * guaranteed the syntax.
 */
export function checkJsonStructure(text: string, maxDepth: number): void {
  const keyStack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) {
          j++;
          escaped = true;
        } else if (d === 0x22) {
          break;
        }
      }
      if (expectKey) {
        const raw = text.slice(i + 1, j);
        const key = escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
        const keys = keyStack[keyStack.length - 1]!;
        if (keys.has(key)) {
          throw new FhirError(400, `Duplicate JSON property '${key}'`, { code: 'structure' });
        }
        keys.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      keyStack.push(c === 0x7b ? new Set() : null);
      if (keyStack.length > maxDepth) {
        throw new FhirError(400, `JSON is nested deeper than ${maxDepth} levels`, { code: 'structure' });
      }
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      keyStack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = keyStack[keyStack.length - 1] instanceof Set;
    }
  }
}

export function parseJson(text: string, maxDepth: number): unknown {
  let value: unknown;
  try {
    value = parseFhirJson(text);
  } catch (err) {
    throw new FhirError(400, `Malformed JSON: ${(err as Error).message}`, { code: 'structure' });
  }
  checkJsonStructure(text, maxDepth);
  return value;
}
