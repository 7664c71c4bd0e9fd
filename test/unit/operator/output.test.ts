import { expect } from 'chai';
import {
  eventOutput,
  replayEvents,
  terminalOutput,
  type OutputEvent,
} from '../../../server/operator/output.ts';

function capture() {
  const lines = { out: [] as string[], err: [] as string[] };
  const output = terminalOutput({
    stdout: { write: (s: string) => lines.out.push(s) > 0 },
    stderr: { write: (s: string) => lines.err.push(s) > 0, isTTY: false },
    plainEveryMs: 0,
  });
  return { lines, output };
}

describe('CLI output', () => {
  it('without a terminal, progress is plain lines with count, total, rate and ETA', () => {
    const { lines, output } = capture();
    const p = output.progress('re-index Patient', 30_000);
    p.update(10_000);
    p.stop();
    expect(lines.err).to.have.length(1);
    expect(lines.err[0]).to.match(/^re-index Patient: 10,000 of 30,000 \([\d,]+\/s, ETA \d+ (s|min)\)\n$/);
  });

  it('results go to stdout and notes to stderr', () => {
    const { lines, output } = capture();
    output.result('{"client_id":"x"}');
    output.note('shown once');
    expect(lines.out).to.deep.equal(['{"client_id":"x"}\n']);
    expect(lines.err).to.deep.equal(['shown once\n']);
  });

  it("a remote command's events are shown as if it ran here, and end with its exit code", () => {
    const events: OutputEvent[] = [];
    const remote = eventOutput((e) => events.push(e), 0);
    remote.result('revoked abc');
    const p = remote.progress('patients', 100);
    p.update(50);
    p.stop();
    remote.note('done');
    events.push({ type: 'exit', code: 3 });

    const { lines, output } = capture();
    const replay = replayEvents(output);
    const codes = events.map(replay);
    expect(codes.at(-1)).to.equal(3);
    expect(codes.slice(0, -1).every((c) => c === undefined)).to.equal(true);
    expect(lines.out).to.deep.equal(['revoked abc\n']);
    expect(lines.err[0]).to.match(/^patients: 50 of 100 /);
    expect(lines.err.at(-1)).to.equal('done\n');
  });
});
