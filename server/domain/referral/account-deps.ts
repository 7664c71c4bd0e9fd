import { createHash, randomBytes } from 'node:crypto';
import type { AuditTrail } from '../../audit/audit-trail.ts';
import type { AuthorizedStore } from '../../access/authorized-store.ts';
import type { Principal } from '../../auth/principal.ts';
import type { SearchEngine } from '../../fhir/search/engine.ts';
import type { ResourceStore } from '../../fhir/storage/resource-store.ts';
import type { Mailer } from '../../jobs/mail.ts';
import type { PasswordAccounts } from '../../auth/password/accounts.ts';

/** What the accounts' operations are built from (wired in server/app.ts). */
export interface AccountDeps {
  /** The server's store, for the directory reads an operation makes by its own rule. */
  store: ResourceStore;
  search: SearchEngine;
  mailer: Mailer;
  /** The server's clock: an invitation's 7 days are counted on it (tests set it). */
  clock: () => Date;
  /** Where links in mails point: the public base URL. */
  publicBase: string;
  /**
   * Password logins (server/auth/password), when the server has them: made when an invitation
   * is accepted, switched off and on with the account.
   */
  passwords?: PasswordAccounts;
  /** Ends every SMART login (sessions, grants, tokens) of `Practitioner/<id>`. */
  revokeTokens?: (person: string) => Promise<unknown>;
  /**
   * A store with the server's rights whose changes are logged as `principal`'s: for the invitee
   * following their link, who has no login yet (logged as the person the invitation makes).
   */
  storeAs: (principal: Exclude<Principal, { kind: 'anonymous' }>) => {
    store: AuthorizedStore;
    audit: AuditTrail;
  };
}

/** An invitation is valid this long (seed: "vanwege veiligheidsredenen 7 dagen geldig"). */
export const INVITATION_DAYS = 7;
export const INVITATION_MS = INVITATION_DAYS * 86_400_000;

/** A new link secret (256 bits, url-safe) and the hash that is stored of it. */
export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

/** Only the hash of a link's token is stored: a copy of the database opens no invitation. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export const invitationLink = (deps: Pick<AccountDeps, 'publicBase'>, token: string) =>
  `${deps.publicBase}/accounts/invitations/${token}`;
