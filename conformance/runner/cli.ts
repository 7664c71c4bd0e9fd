import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { summaryLine } from './report.ts';
import { runSuites, type QualificationToken } from './run-suites.ts';
import type { Waiver } from './state.ts';

const USAGE = `npm run conformance -- --base URL --scripts PATH... [options]

  --base URL         FHIR base of the server under test (repeat for destination 2, 3, …)
  --scripts PATH...  TestScript files or folders (searched recursively), run in the order given
  --load PATH        resource files or folders to PUT (transaction Bundles: POST) before the
                     scripts run; searchset Bundles are skipped (repeatable)
  --var NAME=VALUE   value for a script variable (wins over its defaultValue; repeatable)
  --fixtures DIR     extra folder to find 'Type/id' fixtures in (as Type-id.json or .xml)
  --tokens FILE      the server's own per-patient tokens, QualificationTokens.json format; they
                     replace the tokens of the script set's Configuration/QualificationTokens.json
  --authorization V  Authorization header for requests that name none (e.g. 'Bearer <token>');
                     CONFORMANCE_AUTHORIZATION in the environment does the same, out of sight
                     of process listings
  --waive FILE       JSON list of {script, assert, reason}: asserts known to be wrong, reported
                     as skipped with the reason when they fail
  --today DATE       the test date T for \${DATE, T, …} and \${CURRENTDATE} (default: today)
  --verbose          list passed asserts too

Exit status: 0 when no assert failed, 1 when one did, 2 for a usage error.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: {
      base: { type: 'string', multiple: true },
      scripts: { type: 'string', multiple: true },
      load: { type: 'string', multiple: true },
      var: { type: 'string', multiple: true },
      fixtures: { type: 'string', multiple: true },
      tokens: { type: 'string' },
      authorization: { type: 'string' },
      waive: { type: 'string' },
      today: { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  // `--scripts a b c`: the paths after the first are positionals.
  const scripts = [...(values.scripts ?? []), ...positionals];
  if (values.help || !values.base?.length || scripts.length === 0) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const vars = new Map<string, string>();
  for (const v of values.var ?? []) {
    const eq = v.indexOf('=');
    if (eq < 1) throw new Error(`--var expects NAME=VALUE, got '${v}'`);
    vars.set(v.slice(0, eq), v.slice(eq + 1));
  }
  const today = values.today ? new Date(`${values.today}T00:00:00Z`) : new Date();
  if (Number.isNaN(today.getTime())) throw new Error(`--today: '${values.today}' is not a date`);
  const json = <T>(file: string | undefined): T | undefined =>
    file === undefined ? undefined : (JSON.parse(readFileSync(file, 'utf8')) as T);
  const { results, counts } = await runSuites({
    bases: values.base,
    scripts,
    load: values.load,
    authorization: values.authorization ?? (process.env.CONFORMANCE_AUTHORIZATION || undefined),
    vars,
    fixtureDirs: values.fixtures,
    serverTokens: json<QualificationToken[]>(values.tokens),
    waivers: json<Waiver[]>(values.waive),
    today,
    verbose: values.verbose,
  });
  console.log(
    `\n${results.length} scripts${counts.warnings ? `; ${counts.warnings} warning-only asserts failed` : ''}`,
  );
  console.log(summaryLine(counts));
  return counts.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error((e as Error).message);
    process.exit(2);
  },
);
