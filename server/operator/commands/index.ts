import type { OperatorCommand } from '../command.ts';
import { auditExportCommand } from './audit-export.ts';
import { clientsCommand } from './clients.ts';
import { migrateCommand } from './migrate.ts';
import { reindexCommand } from './reindex.ts';
import { seedCommand } from './seed.ts';

/** The commands a running server carries out for the CLI (operator socket), by name. */
export const operatorCommands: Record<string, OperatorCommand<never>> = Object.fromEntries(
  [auditExportCommand, clientsCommand, migrateCommand, reindexCommand, seedCommand].map((c) => [
    c.name,
    c as OperatorCommand<never>,
  ]),
);
