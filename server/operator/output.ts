import cliProgress from 'cli-progress';

/**
 * What a CLI command tells its operator. Commands never print themselves: the same command runs
 * in the CLI's process (a terminal, or a log file under cron) or inside the running server on
 * behalf of the CLI (operator socket), and each place renders it its own way.
 */
export interface Output {
  /** A result line (stdout): what a script pipes on. */
  result(text: string): void;
  /** A note for the person (stderr). */
  note(text: string): void;
  /** A long task: count, total, rate, ETA. */
  progress(label: string, total?: number): Progress;
}

export interface Progress {
  /** Sets how much is done (absolute), and the total when it becomes known. */
  update(done: number, total?: number): void;
  stop(): void;
}

function formatRate(done: number, startedAt: number): string {
  const seconds = (Date.now() - startedAt) / 1000;
  return seconds > 0 ? `${Math.round(done / seconds).toLocaleString('en')}/s` : '–';
}

function formatEta(done: number, total: number | undefined, startedAt: number): string {
  if (!total || done === 0) return '';
  const seconds = ((Date.now() - startedAt) / 1000 / done) * (total - done);
  return `, ETA ${seconds < 90 ? `${Math.ceil(seconds)} s` : `${Math.ceil(seconds / 60)} min`}`;
}

/** Plain periodic lines: for logs, pipes and CI, where a bar's carriage returns are noise. */
function plainProgress(
  label: string,
  total: number | undefined,
  write: (line: string) => void,
  everyMs: number,
): Progress {
  const startedAt = Date.now();
  let lastAt = startedAt;
  let done = 0;
  let written = 0;
  let known = total;
  const line = () => {
    written = done;
    return (
      `${label}: ${done.toLocaleString('en')}${known !== undefined ? ` of ${known.toLocaleString('en')}` : ''}` +
      ` (${formatRate(done, startedAt)}${formatEta(done, known, startedAt)})`
    );
  };
  return {
    update(value, newTotal) {
      done = value;
      if (newTotal !== undefined) known = newTotal;
      if (Date.now() - lastAt >= everyMs) {
        lastAt = Date.now();
        write(line());
      }
    },
    stop() {
      // The end, unless the last line already said it.
      if (done !== written) write(line());
    },
  };
}

function barProgress(label: string, total: number | undefined): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} {bar} {value}/{total} ({percentage}%) {rate}/s, ETA {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const startedAt = Date.now();
  bar.start(total ?? 0, 0, { rate: 0 });
  return {
    update(value, newTotal) {
      if (newTotal !== undefined) bar.setTotal(newTotal);
      const seconds = (Date.now() - startedAt) / 1000;
      bar.update(value, { rate: seconds > 0 ? Math.round(value / seconds) : 0 });
    },
    stop() {
      bar.stop();
    },
  };
}

/** The CLI's own process: a bar on a terminal, a plain line every few seconds otherwise. */
export function terminalOutput(
  options: {
    stdout?: Pick<NodeJS.WriteStream, 'write'>;
    stderr?: Pick<NodeJS.WriteStream, 'write' | 'isTTY'>;
    plainEveryMs?: number;
  } = {},
): Output {
  const { stdout = process.stdout, stderr = process.stderr, plainEveryMs = 5_000 } = options;
  return {
    result: (text) => void stdout.write(`${text}\n`),
    note: (text) => void stderr.write(`${text}\n`),
    progress: (label, total) =>
      stderr.isTTY
        ? barProgress(label, total)
        : plainProgress(label, total, (l) => void stderr.write(`${l}\n`), plainEveryMs),
  };
}

/** Events a remote command sends back, one JSON object a line. */
export type OutputEvent =
  | { type: 'result' | 'note'; text: string }
  | { type: 'progress'; id: number; label: string; done: number; total?: number; stopped?: boolean }
  | { type: 'exit'; code: number };

/** Output that travels as events (the operator socket); throttled so progress cannot flood it. */
export function eventOutput(send: (event: OutputEvent) => void, everyMs = 250): Output {
  let ids = 0;
  return {
    result: (text) => send({ type: 'result', text }),
    note: (text) => send({ type: 'note', text }),
    progress(label, total) {
      const id = ++ids;
      let last = 0;
      let lastDone = 0;
      let known = total;
      send({ type: 'progress', id, label, done: 0, ...(known !== undefined ? { total: known } : {}) });
      return {
        update(done, newTotal) {
          if (newTotal !== undefined) known = newTotal;
          lastDone = done;
          if (Date.now() - last < everyMs) return;
          last = Date.now();
          send({ type: 'progress', id, label, done, ...(known !== undefined ? { total: known } : {}) });
        },
        stop() {
          // The last count, which the throttle may have held back, then the end.
          send({
            type: 'progress',
            id,
            label,
            done: lastDone,
            ...(known !== undefined ? { total: known } : {}),
          });
          send({ type: 'progress', id, label, done: lastDone, stopped: true });
        },
      };
    },
  };
}

/** Renders a remote command's events on the CLI's own output; returns its exit code at the end. */
export function replayEvents(out: Output) {
  const bars = new Map<number, Progress>();
  return (event: OutputEvent): number | undefined => {
    switch (event.type) {
      case 'result':
        out.result(event.text);
        return undefined;
      case 'note':
        out.note(event.text);
        return undefined;
      case 'progress': {
        let bar = bars.get(event.id);
        if (event.stopped) {
          bar?.stop();
          bars.delete(event.id);
        } else if (!bar) bars.set(event.id, (bar = out.progress(event.label, event.total)));
        else bar.update(event.done, event.total);
        return undefined;
      }
      case 'exit':
        for (const bar of bars.values()) bar.stop();
        return event.code;
    }
  };
}
