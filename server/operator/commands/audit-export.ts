import { buildAuditEvent } from '../../audit/audit-event.ts';
import { createAuditProjector } from '../../audit/audit-projector.ts';
import { createAuditWriter } from '../../audit/audit-writer.ts';
import { and, TRUE } from '../../fhir/search/conditions.ts';
import { createSearchModule } from '../../fhir/search/module.ts';
import { ResourceStore } from '../../fhir/storage/resource-store.ts';
import { withAccessFacts } from '../../access/facts/index-facts.ts';
import type { OperatorCommand } from '../command.ts';
import { InputError, optionalText, record } from './input.ts';

export interface AuditExportInput {
  /** Inclusive start and exclusive end of `recorded` (FHIR dateTime or date). */
  from?: string;
  to?: string;
  /** Only the entries about this patient (id or Patient/id). */
  patient?: string;
}

const PAGE = 500;

/**
 * `npm run audit -- export [--from D] [--to D] [--patient ID]`: the access log as NDJSON (one
 * AuditEvent a line, in the order written) for an external audit store. The export is itself
 * written to the log: reading the log is logged.
 */
export const auditExportCommand: OperatorCommand<AuditExportInput> = {
  name: 'audit-export',
  needs: 'database',
  parse(value) {
    const input = record(value);
    const from = optionalText(input.from, 'from');
    const to = optionalText(input.to, 'to');
    const patient = optionalText(input.patient, 'patient')?.replace(/^Patient\//, '');
    if (patient !== undefined && !/^[A-Za-z0-9\-.]{1,64}$/.test(patient)) {
      throw new InputError(`'${patient}' is not a patient id`);
    }
    return { ...(from ? { from } : {}), ...(to ? { to } : {}), ...(patient ? { patient } : {}) };
  },
  async execute(input, { config, db, out }) {
    const { engine, indexer } = createSearchModule(config.searchParameterFiles);
    const query = new URLSearchParams();
    if (input.from) query.append('date', `ge${input.from}`);
    if (input.to) query.append('date', `lt${input.to}`);
    if (input.patient) query.append('patient', `Patient/${input.patient}`);
    // The search syntax checks the dates (a malformed one is refused with the parameter named).
    const condition = query.size ? engine.criteria('AuditEvent', query.toString(), '').condition : TRUE;
    const store = new ResourceStore(db.knex, withAccessFacts(indexer));
    const scope = { types: [{ resourceType: 'AuditEvent', condition: and([condition]) }] };
    // Logged before anything leaves: an export that cannot be logged does not happen.
    await createAuditWriter(store).write([
      buildAuditEvent({
        principal: { kind: 'system', via: 'operator', clientId: 'npm run audit' },
        interaction: 'search-type',
        resourceType: 'AuditEvent',
        query: query.toString() || '(all)',
        status: 200,
        ...(input.patient ? { patient: input.patient } : {}),
        recorded: new Date(),
        server: 'zorgpoort (operator command line)',
      }),
    ]);
    // Every event logged until now, the export's own included, is in the export.
    await createAuditProjector({ store }).settle();
    const total = await store.search.count(scope);
    const progress = out.progress('audit export', total);
    let done = 0;
    let after: string | undefined;
    try {
      for (;;) {
        const rows = await store.search.page({
          ...scope,
          sort: [],
          limit: PAGE,
          ...(after ? { keyset: { keys: [], rid: after, direction: 'after' as const } } : {}),
        });
        for (const row of rows) out.result(row.content!);
        done += rows.length;
        progress.update(done);
        if (rows.length < PAGE) break;
        after = rows.at(-1)!.rid;
      }
    } finally {
      progress.stop();
    }
    out.note(`exported ${done.toLocaleString('en')} AuditEvent(s)`);
    return 0;
  },
};
