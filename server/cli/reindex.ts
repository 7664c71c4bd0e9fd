import { runCommand } from './run-command.ts';
import { reindexCommand } from './commands/reindex.ts';

/** `npm run reindex [-- ResourceType]`: see server/cli/commands/reindex.ts. */
const resourceType = process.argv[2];
await runCommand(reindexCommand, resourceType ? { resourceType } : {});
