import type { Principal } from '../auth/principal.ts';
import type { Resource } from '../fhir/storage/types.ts';
import { buildAuditEvent } from './audit-event.ts';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';

/**
 * The security-alert AuditEvent that opens a break-the-glass grant (DICOM 110113 Security
 * Alert, 110127 Emergency Override Started), with the stated reason and the grant's end: the
 * patient finds it in their access log, the privacy officer in everyone's.
 */
export function emergencyOverrideStarted(f: {
  principal: Principal;
  patient: string;
  organization?: string;
  reason: string;
  endsAt: Date;
  recorded: Date;
  server: string;
}): Resource {
  const event = buildAuditEvent({
    principal: f.principal,
    interaction: '$break-the-glass',
    resourceType: 'Patient',
    id: f.patient,
    patient: f.patient,
    basis: ['emergency'],
    status: 200,
    recorded: f.recorded,
    server: f.server,
  });
  const entity = (event.entity as Record<string, unknown>[]).map((e, i) =>
    i === 0
      ? {
          ...e,
          detail: [
            { type: 'basis', valueString: 'emergency' },
            { type: 'reason', valueString: f.reason },
            { type: 'ends', valueString: f.endsAt.toISOString() },
            ...(f.organization
              ? [{ type: 'organization', valueString: `Organization/${f.organization}` }]
              : []),
          ],
        }
      : e,
  );
  return {
    ...event,
    type: { system: DCM, code: '110113', display: 'Security Alert' },
    subtype: [{ system: DCM, code: '110127', display: 'Emergency Override Started' }],
    action: 'E',
    entity,
  };
}
