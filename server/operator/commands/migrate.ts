import type { OperatorCommand } from '../command.ts';

/** `npm run migrate`: the schema up to date (a running server did so at its start). */
export const migrateCommand: OperatorCommand<Record<string, never>> = {
  name: 'migrate',
  needs: 'database',
  parse: () => ({}),
  async execute(_input, { db, out }) {
    await db.migrate();
    out.result(`migrations applied (${db.kind})`);
    return 0;
  },
};
