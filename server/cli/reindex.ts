import { loadConfig } from '../config.ts';
import { reindexCommand } from '../operator/commands/reindex.ts';
import { runCommand } from '../operator/run-command.ts';

/** `npm run reindex [-- ResourceType]`: see server/operator/commands/reindex.ts. */
const resourceType = process.argv[2];
const { searchParameterFiles } = loadConfig();
await runCommand(reindexCommand, { ...(resourceType ? { resourceType } : {}), searchParameterFiles });
