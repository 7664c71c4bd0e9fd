/**
 * `npm run seed [-- <set>]`: the demo care network and patients, or a named demo set
 * (`hospital`), on the configured database (see server/operator/commands/seed.ts). Beside a
 * running server on the embedded database, the server loads it; otherwise a private server on a
 * free port does, through the real REST path.
 */
import { seedCommand } from '../server/operator/commands/seed.ts';
import { runCommand } from '../server/operator/run-command.ts';

const args = process.argv.slice(2);
let input: ReturnType<typeof seedCommand.parse>;
try {
  if (args.length > 1) throw new Error('one set at most');
  input = seedCommand.parse(args.length ? { set: args[0] } : undefined);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\nusage: npm run seed [-- hospital|referrals|practice]\n`);
  process.exit(2);
}
await runCommand(seedCommand, input);
