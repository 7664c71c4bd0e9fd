import type { Outcome, ScriptResult } from './run-script.ts';

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  warnings: number;
}

/** Asserts count as passed/failed/skipped; an operation counts only when it could not be sent. */
export function count(results: ScriptResult[]): Counts {
  const c: Counts = { passed: 0, failed: 0, skipped: 0, warnings: 0 };
  for (const r of results) {
    for (const phase of r.phases) {
      for (const a of phase.results) {
        if (a.kind === 'operation' && a.outcome === 'pass') continue;
        if (a.outcome === 'pass') c.passed++;
        else if (a.outcome === 'fail' || a.outcome === 'error') c.failed++;
        else if (a.outcome === 'skip') c.skipped++;
        else c.warnings++;
      }
    }
  }
  return c;
}

const MARK: Record<Outcome, string> = {
  pass: 'ok  ',
  fail: 'FAIL',
  error: 'ERR ',
  skip: 'skip',
  warning: 'warn',
};

export function formatScript(r: ScriptResult, verbose: boolean): string {
  const c = count([r]);
  const lines = [
    `${c.failed ? 'FAIL' : 'pass'}  ${r.script.name}  (${r.script.file})  ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped${c.warnings ? `, ${c.warnings} warnings` : ''}`,
  ];
  for (const phase of r.phases) {
    for (const a of phase.results) {
      const interesting = a.outcome !== 'pass' || verbose;
      if (interesting)
        lines.push(
          `    ${MARK[a.outcome]} [${phase.name}] ${a.label.slice(0, 120)} — ${a.detail.slice(0, 400)}`,
        );
    }
  }
  return lines.join('\n');
}

export function summaryLine(c: Counts): string {
  return `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;
}
