import { TLSSocket } from 'node:tls';
import express, { type NextFunction, type Request, type Response } from 'express';
import { FhirError } from '../../fhir/errors.ts';
import { credentialsRequired, type Credentials } from '../authenticate.ts';
import type { Principal } from '../principal.ts';
import type { StoredLaunch } from './provider.ts';

/** How long an EHR launch id may wait for the app's authorization request. */
export const LAUNCH_SECONDS = 600;

/**
 * `POST /oauth/launch {patient, encounter?}`: an authenticated EHR (a caregiver or a hospital
 * system that may read that patient) stores the context it launches an app in and passes the
 * returned id as `launch`. The caller is authenticated before its body is read.
 */
export function launchEndpoint(deps: {
  authenticate: (credentials: Credentials) => Promise<Principal>;
  /** Whether this caller may read this patient (its own access and scopes). */
  mayLaunch: (who: Principal, patientId: string) => Promise<boolean>;
  createLaunch: (launch: StoredLaunch) => Promise<string>;
}) {
  const authenticated = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const socket = req.socket instanceof TLSSocket ? req.socket : undefined;
      const who = await deps.authenticate({
        authorization: req.headers.authorization,
        socket,
        ...(req.socket.remoteAddress ? { address: req.socket.remoteAddress } : {}),
      });
      if (who.kind === 'anonymous') throw credentialsRequired();
      if (who.kind !== 'practitioner' && who.kind !== 'system') {
        throw new FhirError(403, 'Only an EHR (a caregiver or a hospital system) may create a launch', {
          code: 'forbidden',
        });
      }
      res.locals.who = who;
      next();
    } catch (err) {
      next(err);
    }
  };
  const handle = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const body = (req.body ?? {}) as { patient?: unknown; encounter?: unknown };
      const patient = typeof body.patient === 'string' ? body.patient.replace(/^Patient\//, '') : undefined;
      const encounter =
        typeof body.encounter === 'string' ? body.encounter.replace(/^Encounter\//, '') : undefined;
      // A patient the caller may not read is answered like a missing one.
      if (!patient || !(await deps.mayLaunch(res.locals.who as Principal, patient))) {
        throw new FhirError(400, 'patient must name an existing Patient', { code: 'invalid' });
      }
      const who = res.locals.who as Principal;
      const launch = await deps.createLaunch({
        patient,
        ...(encounter ? { encounter } : {}),
        // A caregiver's launch is theirs alone; a hospital system's any logged-in caregiver may use.
        ...(who.kind === 'practitioner' ? { createdBy: `Practitioner/${who.practitionerId}` } : {}),
      });
      res.status(201).set('Cache-Control', 'no-store').json({ launch, expires_in: LAUNCH_SECONDS });
    } catch (err) {
      next(err);
    }
  };
  return [authenticated, express.json({ limit: '16kb' }), handle];
}
