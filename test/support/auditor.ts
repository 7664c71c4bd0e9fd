import { expect } from 'chai';
import type { TestServer } from './harness.ts';
import { backendToken, registerBackendClient } from './smart-backend.ts';

type Json = Record<string, any>;

/** Login events (BALP User Authentication, subtype Login) as a search parameter value. */
export const LOGIN_SUBTYPE = encodeURIComponent('http://dicom.nema.org/resources/ontology/DCM|110122');

/**
 * An auditor: a system client whose token names `system/AuditEvent.rs` (server/access/rules/audit-log.ts),
 * reading the access log through the API.
 */
export async function auditorOf(server: TestServer) {
  const scope = 'system/AuditEvent.rs';
  const authorization = `Bearer ${await backendToken(server, await registerBackendClient(server, { scope }), scope)}`;
  return {
    authorization,
    /** The AuditEvents `AuditEvent?<query>` finds. */
    async search(query: string): Promise<any[]> {
      const res = await server.fetchBare(`AuditEvent?${query}`, {
        headers: { authorization, accept: 'application/fhir+json' },
      });
      const body = (await res.json()) as Json;
      expect(res.status, JSON.stringify(body).slice(0, 300)).to.equal(200);
      return (body.entry ?? []).map((e: Json) => e.resource);
    },
  };
}

/**
 * Runs `during` while the access log's intake refuses every insert (as a full disk or a revoked
 * grant would), and makes it writable again afterwards.
 */
export async function withAuditRefused(server: TestServer, during: () => Promise<void>): Promise<void> {
  const knex = server.app.db.knex;
  await knex.raw(`create or replace function zz_refuse_audit() returns trigger language plpgsql as $$
    begin
      raise exception 'audit store unavailable (test)';
    end $$`);
  await knex.raw(
    'create trigger zz_refuse_audit before insert on audit_log for each row execute function zz_refuse_audit()',
  );
  try {
    await during();
  } finally {
    await knex.raw('drop trigger zz_refuse_audit on audit_log');
    await knex.raw('drop function zz_refuse_audit()');
  }
}
