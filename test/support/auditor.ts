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
