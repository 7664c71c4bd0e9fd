import { evaluateAssert } from './asserts.ts';
import { readResourceFile, resolveFixtureFile } from './fixtures.ts';
import type { Action, TestScript } from './model.ts';
import { runOperation } from './operation.ts';
import { RunState, type RunOptions } from './state.ts';

export type Outcome = 'pass' | 'fail' | 'skip' | 'warning' | 'error';

export interface ActionResult {
  kind: 'operation' | 'assert';
  label: string;
  outcome: Outcome;
  detail: string;
}

export interface PhaseResult {
  name: string;
  results: ActionResult[];
}

export interface ScriptResult {
  script: TestScript;
  phases: PhaseResult[];
}

function label(action: Action): string {
  if ('operation' in action) {
    const op = action.operation;
    return op.label ?? op.description ?? `${op.type ?? op.method ?? 'request'} ${op.resource ?? ''}`.trim();
  }
  const a = action.assert;
  return a.label ?? a.description ?? 'assert';
}

/** Runs a phase's actions; an operation error or a failed stopTestOnFail assert skips the rest. */
async function runActions(actions: Action[], state: RunState, skipAll?: string): Promise<ActionResult[]> {
  const out: ActionResult[] = [];
  let stopped = skipAll;
  for (const action of actions) {
    const kind = 'operation' in action ? 'operation' : 'assert';
    if (stopped) {
      out.push({ kind, label: label(action), outcome: 'skip', detail: stopped });
      continue;
    }
    if ('operation' in action) {
      try {
        const ex = await runOperation(action.operation, state);
        out.push({
          kind,
          label: label(action),
          outcome: 'pass',
          detail: `${ex.request.method} ${ex.request.url} → ${ex.response?.status}`,
        });
      } catch (e) {
        out.push({ kind, label: label(action), outcome: 'error', detail: (e as Error).message });
        stopped = 'not run: an earlier operation failed';
        state.last = undefined;
      }
      continue;
    }
    const a = action.assert;
    let v: { outcome: 'pass' | 'fail' | 'skip'; detail: string };
    try {
      v = evaluateAssert(a, state);
    } catch (e) {
      v = { outcome: 'fail' as const, detail: (e as Error).message };
    }
    const waiver = state.options.waivers.find(
      (w) =>
        w.script === state.script.id && (a.label === w.assert || (a.description ?? '').startsWith(w.assert)),
    );
    if (waiver && v.outcome === 'fail')
      v = { outcome: 'skip', detail: `waived: ${waiver.reason} (${v.detail})` };
    const outcome: Outcome = v.outcome === 'fail' && a.warningOnly ? 'warning' : v.outcome;
    out.push({ kind, label: label(action), outcome, detail: v.detail });
    if (outcome === 'fail' && a.stopTestOnFail)
      stopped = 'not run: an earlier assert with stopTestOnFail failed';
  }
  return out;
}

function loadFixtures(state: RunState): string | undefined {
  for (const f of state.script.fixtures) {
    if (!f.reference) continue;
    try {
      const file = resolveFixtureFile(f.reference, state.script.file, state.options.fixtureDirs);
      state.sources.set(f.id, { resource: readResourceFile(file, state.options.today) });
    } catch (e) {
      return `fixture '${f.id}': ${(e as Error).message}`;
    }
  }
  return undefined;
}

async function autoFixtures(state: RunState, mode: 'create' | 'delete'): Promise<ActionResult[]> {
  const out: ActionResult[] = [];
  for (const f of state.script.fixtures) {
    if (mode === 'create' ? !f.autocreate : !f.autodelete) continue;
    const resource = state.sources.get(f.id)?.resource;
    if (!resource) continue;
    const op = {
      type: mode === 'create' ? (resource.id ? 'update' : 'create') : 'delete',
      resource: resource.resourceType,
      params: resource.id ? `/${resource.id}` : undefined,
      sourceId: mode === 'create' ? f.id : undefined,
      encodeRequestUrl: true,
      requestHeader: [],
      accept: 'json',
      contentType: 'json',
    };
    try {
      const ex = await runOperation(op, state);
      const ok = (ex.response?.status ?? 0) < 300;
      out.push({
        kind: 'operation',
        label: `auto${mode} ${f.id}`,
        outcome: ok ? 'pass' : 'fail',
        detail: `${ex.request.method} ${ex.request.url} → ${ex.response?.status}`,
      });
    } catch (e) {
      out.push({
        kind: 'operation',
        label: `auto${mode} ${f.id}`,
        outcome: 'error',
        detail: (e as Error).message,
      });
    }
  }
  return out;
}

export async function runScript(script: TestScript, options: RunOptions): Promise<ScriptResult> {
  const state = new RunState(script, options);
  const phases: PhaseResult[] = [];
  const fixtureError = loadFixtures(state);
  const setup = [
    ...(await autoFixtures(state, 'create')),
    ...(await runActions(script.setup, state, fixtureError)),
  ];
  phases.push({
    name: 'setup',
    results: fixtureError
      ? [{ kind: 'operation', label: 'load fixtures', outcome: 'error', detail: fixtureError }, ...setup]
      : setup,
  });
  const setupFailed =
    fixtureError !== undefined || setup.some((r) => r.outcome === 'fail' || r.outcome === 'error');
  for (const test of script.tests) {
    phases.push({
      name: test.name,
      results: await runActions(test.actions, state, setupFailed ? 'not run: setup failed' : undefined),
    });
  }
  const teardown = [...(await runActions(script.teardown, state)), ...(await autoFixtures(state, 'delete'))];
  if (teardown.length) phases.push({ name: 'teardown', results: teardown });
  return { script, phases };
}
