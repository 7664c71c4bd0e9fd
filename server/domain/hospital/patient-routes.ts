import type { Route } from '../../fhir/rest/routes.ts';
import { ACCESS_LOG_OPERATION, accessLog } from './access-log.ts';
import { PORTAL_PATIENT_OPERATION, portalPatient } from './patient-information.ts';
import { REPORT_DEATH_OPERATION, reportDeath } from './report-death.ts';
import type { HospitalDeps } from './routes.ts';

/** The portal's patient operations (seed 002); see README.md for the screen → call table. */
export function patientRoutes(_deps: HospitalDeps): Route[] {
  const information = portalPatient();
  const death = reportDeath();
  const log = accessLog();
  return [
    {
      method: 'GET',
      pattern: ['type', 'id', '$portal-patient'],
      types: ['Patient'],
      interaction: '$portal-patient',
      level: 'instance',
      definition: PORTAL_PATIENT_OPERATION,
      handle: (ctx, req, m) => information(ctx, m.id, req),
    },
    {
      method: 'POST',
      pattern: ['type', 'id', '$report-death'],
      types: ['Patient'],
      interaction: '$report-death',
      level: 'instance',
      definition: REPORT_DEATH_OPERATION,
      handle: (ctx, req, m) => death(ctx, m.id, req),
    },
    {
      method: 'GET',
      pattern: ['type', 'id', '$access-log'],
      types: ['Patient'],
      interaction: '$access-log',
      level: 'instance',
      definition: ACCESS_LOG_OPERATION,
      handle: (ctx, req, m) => log(ctx, m.id, req),
    },
  ];
}
