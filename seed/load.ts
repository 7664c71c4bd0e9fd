/**
 * `npm run seed`: the demo care network and patients, on the configured database (see
 * server/operator/commands/seed.ts). Beside a running server on the embedded database, the server
 * loads it; otherwise a private server on a free port does, through the real REST path.
 */
import { seedCommand } from '../server/operator/commands/seed.ts';
import { runCommand } from '../server/operator/run-command.ts';

await runCommand(seedCommand, {});
