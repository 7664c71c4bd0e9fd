import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { send, serializeBody } from './exchange.ts';
import { readResourceFile } from './fixtures.ts';
import { placeholderScript } from './model.ts';
import type { ActionResult, ScriptResult } from './run-script.ts';

/**
 * `--load`: puts fixture files on the server before the scripts run, for sets whose own load
 * script is not shipped (the MP9 patient). Each resource is PUT at its [type]/[id] as XML, a
 * transaction or batch Bundle is POSTed to the base, and searchset/collection Bundles are left
 * out: in the Nictiz sets those are the expected search results, not data.
 */
export async function preload(
  paths: string[],
  base: string,
  today: Date,
  timeoutMs: number,
  authorization?: string,
): Promise<ScriptResult> {
  const files = paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => /\.(xml|json)$/.test(f))
          .sort()
          .map((f) => join(p, f))
      : [p],
  );
  const results: ActionResult[] = [];
  for (const file of files) {
    const resource = readResourceFile(file, today);
    const bundleType = resource.resourceType === 'Bundle' ? String(resource.type) : undefined;
    if (bundleType && bundleType !== 'transaction' && bundleType !== 'batch') continue;
    const url = bundleType
      ? base
      : `${base}/${resource.resourceType}/${encodeURIComponent(String(resource.id ?? ''))}`;
    if (!bundleType && !resource.id) {
      results.push({
        kind: 'assert',
        label: `load ${file}`,
        outcome: 'fail',
        detail: 'the resource has no id to PUT at',
      });
      continue;
    }
    try {
      const ex = await send(
        {
          method: bundleType ? 'POST' : 'PUT',
          url,
          headers: {
            'content-type': 'application/fhir+xml',
            accept: 'application/fhir+json',
            ...(authorization ? { authorization } : {}),
          },
          body: serializeBody(resource, 'application/fhir+xml'),
        },
        timeoutMs,
      );
      const status = ex.response?.status ?? 0;
      results.push({
        kind: 'assert',
        label: `load ${file}`,
        outcome: status >= 200 && status < 300 ? 'pass' : 'fail',
        detail: `${bundleType ? 'POST' : 'PUT'} ${url} → ${status}${status >= 300 ? ` ${ex.response?.body.slice(0, 300)}` : ''}`,
      });
    } catch (e) {
      results.push({ kind: 'assert', label: `load ${file}`, outcome: 'error', detail: (e as Error).message });
    }
  }
  const name = `load ${paths.join(', ')}`;
  return {
    script: placeholderScript('load', name, paths.join(', ')),
    phases: [{ name: 'load', results }],
  };
}
