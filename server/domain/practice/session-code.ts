import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { NOT_LINKED } from '../../access/portal-account.ts';
import type { PortalService } from '../../auth/principal.ts';
import { FhirError } from '../../fhir/errors.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse, say } from '../language.ts';
import { readParameters, type ParametersIn } from '../parameters.ts';
import { sessionCodeMail } from './account-mails.ts';
import type { PracticeDeps } from './deps.ts';
import { emailOfPerson, type PortalPerson } from './portal-person.ts';
import { current } from './practices.ts';

export const SESSION_CODE_OPERATION = 'https://zorgpoort.nl/fhir/OperationDefinition/session-code';
export const SERVICES: readonly PortalService[] = ['record', 'prescriptions', 'appointments', 'econsult'];

/** The e-mail account and login session a session code is for: its caller, or a refusal. */
export interface CodeHolder {
  person: string;
  session: string;
}

/**
 * Session codes are for an e-mail account's login (seed 004: "A DigiD login needs no session
 * code"), linked to a patient (an unlinked one has no service to open), with a token: its grant
 * is the session the code is bound to.
 */
export function codeHolder(ctx: RestContext): CodeHolder {
  const who = ctx.principal;
  if (who.kind === 'account') refuse(ctx.language, 403, 'forbidden', NOT_LINKED);
  if (who.kind !== 'patient' || !who.portal?.needsSessionCode) {
    refuse(ctx.language, 409, 'business-rule', {
      en: 'Session codes are for a login with a portal account’s e-mail address and password; this login needs none',
      nl: 'Sessiecodes zijn voor een login met e-mailadres en wachtwoord van een portaalaccount; deze login heeft er geen nodig',
    });
  }
  if (!who.portal.sessionId) {
    refuse(ctx.language, 409, 'business-rule', {
      en: 'A session code is bound to the login session of an app’s token; log in through the portal app',
      nl: 'Een sessiecode hoort bij de inlogsessie van het token van een app; log in via de portaal-app',
    });
  }
  return { person: `Person/${who.portal.personId}`, session: who.portal.sessionId };
}

/** The service named (parameter service), or 400. */
export function serviceOf(ctx: RestContext, p: ParametersIn): PortalService {
  const service = p.string('service');
  if (!service || !(SERVICES as readonly string[]).includes(service)) {
    refuse(ctx.language, 400, 'required', {
      en: `Name the online service (parameter service): ${SERVICES.join(', ')}${service ? `; '${service}' is none` : ''}`,
      nl: `Noem de online dienst (parameter service): ${SERVICES.join(', ')}${service ? `; '${service}' is er geen` : ''}`,
    });
  }
  return service as PortalService;
}

/** Without SMART_COOKIE_KEYS the login cookies use a key of this process only; so do the codes. */
const PROCESS_SECRET = randomBytes(32).toString('base64url');

/**
 * The keys of the codes' hashes, derived from the server's secrets (SMART_COOKIE_KEYS: the first
 * hashes, all verify, so a rotation leaves live codes working): a code has only 10^6 values, so
 * an unkeyed hash in a copy of the database would give it away at once.
 */
export const codeKeys = (secrets: readonly string[] | undefined): Buffer[] =>
  (secrets?.length ? secrets : [PROCESS_SECRET]).map((secret) =>
    createHmac('sha256', secret).update('zorgpoort:portal-session-code').digest(),
  );

/** Only this hash is stored: the code, bound to its account, session and service. */
export const codeHash = (key: Buffer, holder: CodeHolder, service: string, code: string) =>
  createHmac('sha256', key).update(`${holder.person}\n${holder.session}\n${service}\n${code}`).digest('hex');

export const sameHex = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));

const parameters = (...parameter: Record<string, unknown>[]) =>
  ({ resourceType: 'Parameters', parameter }) as unknown as Resource;

/**
 * `POST [base]/$session-code` (seed 004, "3.1 Sessiecodes"): a 6-digit code for one service by
 * e-mail, working once, in this login session only, for `sessionCodeSeconds`; a new request
 * voids the account's previous code, whatever its session or service ("Wanneer u de pagina …
 * opnieuw opent, ontvangt u óók een nieuwe sessiecode"). At most `sessionCodeRequests` per
 * `sessionCodeWindowSeconds` per account: then 429 with Retry-After.
 */
export function requestSessionCode(deps: PracticeDeps) {
  const { config } = deps;
  return async (ctx: RestContext, body: unknown): Promise<FhirResult> => {
    const holder = codeHolder(ctx);
    const service = serviceOf(ctx, readParameters(body, ctx.language, '$session-code'));
    const person = (await current(deps.store, 'Person', holder.person.slice('Person/'.length))) as
      PortalPerson | undefined;
    const to = (await deps.passwords?.loginOf(holder.person)) ?? (person && emailOfPerson(person));
    if (!to) {
      refuse(ctx.language, 409, 'business-rule', {
        en: 'Your account has no e-mail address to send the code to; call the practice',
        nl: 'Uw account heeft geen e-mailadres om de code naartoe te sturen; bel de praktijk',
      });
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const now = deps.clock();
    const expiresAt = new Date(now.getTime() + config.sessionCodeSeconds * 1000);
    await deps.store.transaction(async (tx) => {
      // One account's requests in turn, so two at once cannot both pass the limit.
      await tx.lockAll([{ key: `portal-session-code:${holder.person}`, shared: false }]);
      const windowStart = new Date(now.getTime() - config.sessionCodeWindowSeconds * 1000);
      const recent = await tx.portal.requestsSince(holder.person, windowStart);
      if (recent.length >= config.sessionCodeRequests) {
        const retry = Math.max(1, Math.ceil((recent[0]!.getTime() - windowStart.getTime()) / 1000));
        throw new FhirError(
          429,
          say(ctx.language, {
            en: `Too many session codes requested: try again in ${retry} seconds`,
            nl: `Te veel sessiecodes aangevraagd: probeer het over ${retry} seconden opnieuw`,
          }),
          { code: 'throttled', headers: { 'Retry-After': String(retry) } },
        );
      }
      await tx.portal.countRequest(holder.person, now, windowStart);
      await tx.portal.issueCode({
        person: holder.person,
        session: holder.session,
        service,
        codeHash: codeHash(codeKeys(deps.codeSecrets)[0]!, holder, service, code),
        expiresAt,
      });
      await deps.mailer.send(
        tx.jobs,
        sessionCodeMail({ to, code, service, seconds: config.sessionCodeSeconds }),
      );
    });
    const [name = '', domain = ''] = to.split('@');
    return {
      status: 200,
      headers: {},
      resource: parameters(
        { name: 'service', valueCode: service },
        { name: 'sentTo', valueString: `${name.slice(0, 1)}…@${domain}` },
        { name: 'expires', valueInstant: expiresAt.toISOString() },
      ),
    };
  };
}
