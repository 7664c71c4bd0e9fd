import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadTestScript } from './load-script.ts';
import { placeholderScript } from './model.ts';
import { preload } from './preload.ts';
import { createProfileChecker, type ProfileChecker } from './profiles.ts';
import { count, formatScript, type Counts } from './report.ts';
import { runScript, type ScriptResult } from './run-script.ts';
import type { RunOptions, Waiver } from './state.ts';

export interface QualificationToken {
  accessToken: string;
  resourceId: string;
}

export interface SuiteOptions {
  bases: string[];
  /** TestScript files or folders, run in this order. */
  scripts: string[];
  load?: string[];
  vars?: Map<string, string>;
  fixtureDirs?: string[];
  /** The server's own per-patient tokens, replacing the script set's by patient id. */
  serverTokens?: QualificationToken[];
  waivers?: Waiver[];
  /** Authorization header for requests that carry none of their own (e.g. `Bearer <token>`). */
  authorization?: string;
  today?: Date;
  verbose?: boolean;
  profiles?: ProfileChecker;
  /** Where per-script reports go (stdout by default). */
  print?: (text: string) => void;
}

/** TestScripts under a path, in name order; `_reference` folders hold fixtures, not scripts. */
export function scriptFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => {
      const full = join(path, name);
      if (statSync(full).isDirectory()) return name.startsWith('_reference') ? [] : scriptFiles(full);
      if (!/\.(xml|json)$/.test(name)) return [];
      const head = readFileSync(full, 'utf8').slice(0, 600);
      return /<TestScript[\s>]|"resourceType"\s*:\s*"TestScript"/.test(head) ? [full] : [];
    });
}

/** The QualificationTokens.json of the set a script belongs to: `Configuration/` in an ancestor folder. */
function scriptSetTokens(file: string): QualificationToken[] {
  for (let dir = dirname(resolve(file)); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'Configuration', 'QualificationTokens.json');
    if (existsSync(candidate)) return JSON.parse(readFileSync(candidate, 'utf8')) as QualificationToken[];
  }
  return [];
}

function tokenMap(file: string, serverTokens: QualificationToken[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  if (!serverTokens) return map;
  const bearer = (t: string) => (t.startsWith('Bearer ') ? t : `Bearer ${t}`);
  for (const own of scriptSetTokens(file)) {
    const theirs = serverTokens.find((t) => t.resourceId === own.resourceId);
    if (theirs) map.set(bearer(own.accessToken), bearer(theirs.accessToken));
  }
  return map;
}

function failedToLoad(file: string, message: string): ScriptResult {
  return {
    script: placeholderScript(file, file, file),
    phases: [
      {
        name: 'load',
        results: [{ kind: 'operation', label: 'read script', outcome: 'error', detail: message }],
      },
    ],
  };
}

export async function runSuites(o: SuiteOptions): Promise<{ results: ScriptResult[]; counts: Counts }> {
  const print = o.print ?? ((t: string) => console.log(t));
  const today = o.today ?? new Date();
  const profiles = o.profiles ?? createProfileChecker();
  const results: ScriptResult[] = [];
  if (o.load?.length) {
    const loaded = await preload(o.load, o.bases[0]!, today, 60_000, o.authorization);
    results.push(loaded);
    print(formatScript(loaded, o.verbose ?? false));
  }
  for (const file of o.scripts.flatMap(scriptFiles)) {
    const options: RunOptions = {
      bases: o.bases,
      today,
      vars: o.vars ?? new Map(),
      fixtureDirs: o.fixtureDirs ?? [],
      timeoutMs: 60_000,
      tokenMap: tokenMap(file, o.serverTokens),
      authorization: o.authorization,
      profiles,
      waivers: o.waivers ?? [],
    };
    let result: ScriptResult;
    try {
      result = await runScript(loadTestScript(file, today), options);
    } catch (e) {
      result = failedToLoad(file, (e as Error).message);
    }
    results.push(result);
    print(formatScript(result, o.verbose ?? false));
  }
  return { results, counts: count(results) };
}
