import { migrateCommand } from '../operator/commands/migrate.ts';
import { runCommand } from '../operator/run-command.ts';

await runCommand(migrateCommand, {});
