import { migrateCommand } from './commands/migrate.ts';
import { runCommand } from './run-command.ts';

await runCommand(migrateCommand, {});
