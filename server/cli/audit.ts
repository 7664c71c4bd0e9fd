import { parseArgs } from 'node:util';
import { auditExportCommand } from '../operator/commands/audit-export.ts';
import { runCommand } from '../operator/run-command.ts';

/** `npm run audit -- export [--from D] [--to D] [--patient ID] > audit.ndjson`: see server/operator/commands/audit-export.ts. */
const USAGE =
  'usage: npm run --silent audit -- export [--from 2026-01-01] [--to 2026-02-01] [--patient <id>] > audit.ndjson';
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { from: { type: 'string' }, to: { type: 'string' }, patient: { type: 'string' } },
});
if (positionals[0] !== 'export' || positionals.length !== 1) {
  console.error(USAGE);
  process.exit(2);
}
await runCommand(auditExportCommand, {
  ...(values.from ? { from: values.from } : {}),
  ...(values.to ? { to: values.to } : {}),
  ...(values.patient ? { patient: values.patient } : {}),
});
