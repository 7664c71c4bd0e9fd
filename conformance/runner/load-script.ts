import { readFileSync } from 'node:fs';
import type { TestScript } from './model.ts';
import { normalizeTestScript } from './normalize.ts';
import { substitutePlaceholders } from './placeholders.ts';
import { readLooseXml } from './xml-tree.ts';

/** Reads a TestScript file (JSON, or XML in the R4 or R5 layout) with placeholders substituted. */
export function loadTestScript(file: string, today: Date): TestScript {
  const text = substitutePlaceholders(readFileSync(file, 'utf8'), today);
  if (text.trimStart().startsWith('{')) {
    const raw = JSON.parse(text) as Record<string, unknown>;
    if (raw.resourceType !== 'TestScript') throw new Error(`${file}: not a TestScript`);
    return normalizeTestScript(raw, file);
  }
  const { root, tree } = readLooseXml(text);
  if (root !== 'TestScript' || typeof tree === 'string') throw new Error(`${file}: not a TestScript`);
  return normalizeTestScript(tree, file);
}
