import type { Route } from '../../fhir/rest/routes.ts';
import type { PracticeDeps } from './deps.ts';
import { LINK_PATIENT_OPERATION, linkPatient } from './link-patient.ts';
import { OPEN_SERVICE_OPERATION, openService } from './open-service.ts';
import { REGISTER_DIGID_OPERATION, registerDigid } from './register-digid.ts';
import { requestSessionCode, SESSION_CODE_OPERATION } from './session-code.ts';

/**
 * Portal accounts (README.md, "Accounts" and "Session codes"): DigiD registration, linking by the
 * practice, session codes. Registration by e-mail is outside the FHIR API
 * (server/auth/portal-registration-page.ts).
 */
export function accountRoutes(deps: PracticeDeps): Route[] {
  const h = {
    registerDigid: registerDigid(deps),
    link: linkPatient(deps),
    sessionCode: requestSessionCode(deps),
    open: openService(deps),
  };
  return [
    {
      method: 'POST',
      pattern: ['type', '$register-digid'],
      types: ['Person'],
      interaction: '$register-digid',
      level: 'type',
      definition: REGISTER_DIGID_OPERATION,
      handle: (ctx, req) => h.registerDigid(ctx, req.body),
    },
    {
      method: 'POST',
      pattern: ['type', 'id', '$link-patient'],
      types: ['Person'],
      interaction: '$link-patient',
      level: 'instance',
      definition: LINK_PATIENT_OPERATION,
      handle: (ctx, req, m) => h.link(ctx, m.id, req.body),
    },
    {
      method: 'POST',
      pattern: ['$session-code'],
      interaction: '$session-code',
      level: 'system',
      definition: SESSION_CODE_OPERATION,
      handle: (ctx, req) => h.sessionCode(ctx, req.body),
    },
    {
      method: 'POST',
      pattern: ['$open-service'],
      interaction: '$open-service',
      level: 'system',
      definition: OPEN_SERVICE_OPERATION,
      handle: (ctx, req) => h.open(ctx, req.body),
    },
  ];
}
