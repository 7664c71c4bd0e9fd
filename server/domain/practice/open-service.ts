import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse, type Said } from '../language.ts';
import { readParameters } from '../parameters.ts';
import type { PracticeDeps } from './deps.ts';
import { codeHash, codeHolder, codeKeys, sameHex, serviceOf } from './session-code.ts';

export const OPEN_SERVICE_OPERATION = 'https://zorgpoort.nl/fhir/OperationDefinition/open-service';

/** One answer for every wrong code: wrong, expired, used, void, for another service or another session. */
export const WRONG_SESSION_CODE: Said = {
  en: 'This session code is wrong, expired or used, or was asked for another service or in another window. Request a new code with $session-code; only the latest works.',
  nl: 'Deze sessiecode klopt niet, is verlopen of al gebruikt, of is aangevraagd voor een andere dienst of in een ander venster. Vraag een nieuwe code aan met $session-code; alleen de laatste werkt.',
};

/**
 * `POST [base]/$open-service` (seed 004: "wordt er u gevraagd een sessiecode in te vullen voordat
 * u door kunt gaan"): the code of the account's latest request opens its service for this login
 * session, for `serviceOpenSeconds` or until the session ends; the code is used up. A wrong try
 * (also one from another session of the same account) counts; `sessionCodeAttempts` of them void
 * the code. The login's next request carries the service in `portal.openServices`.
 */
export function openService(deps: PracticeDeps) {
  const { config } = deps;
  return async (ctx: RestContext, body: unknown): Promise<FhirResult> => {
    const holder = codeHolder(ctx);
    const p = readParameters(body, ctx.language, '$open-service');
    const service = serviceOf(ctx, p);
    const given = (p.string('code') ?? '').replace(/\s/g, '');
    const now = deps.clock();
    const stored = await deps.store.portal.codeOf(holder.person, now);
    const right =
      stored !== undefined &&
      /^[0-9]{6}$/.test(given) &&
      codeKeys(deps.codeSecrets).some((key) =>
        sameHex(codeHash(key, holder, service, given), stored.codeHash),
      );
    if (!right) {
      if (stored) await deps.store.portal.codeFailed(stored, config.sessionCodeAttempts);
      refuse(ctx.language, 403, 'forbidden', WRONG_SESSION_CODE);
    }
    const until = new Date(now.getTime() + config.serviceOpenSeconds * 1000);
    const opened = await deps.store.transaction(async (tx) => {
      if (!(await tx.portal.takeCode(stored, config.sessionCodeAttempts, now))) return false;
      await tx.portal.open(holder.person, holder.session, service, until, now);
      return true;
    });
    if (!opened) refuse(ctx.language, 403, 'forbidden', WRONG_SESSION_CODE);
    return {
      status: 200,
      headers: {},
      resource: {
        resourceType: 'Parameters',
        parameter: [
          { name: 'service', valueCode: service },
          { name: 'openUntil', valueInstant: until.toISOString() },
        ],
      } as unknown as Resource,
    };
  };
}
