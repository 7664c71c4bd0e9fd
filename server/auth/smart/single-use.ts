import { errors } from 'oidc-provider';
import { AlreadyConsumedError, type OidcAdapter } from '../../fhir/storage/auth/oidc-adapter.ts';

type AdapterClass = new (model: string) => OidcAdapter;

/**
 * The storage adapter as oidc-provider gets it: a second use of a code or refresh token that
 * got past oidc-provider's own check (two requests racing with it) is treated like a reuse it
 * catches itself: the grant ends, with every token issued under it, and the request is
 * `invalid_grant` rather than a server error.
 */
export function singleUseAdapter(Storage: AdapterClass): AdapterClass {
  return class SingleUseAdapter extends (Storage as new (...args: [string]) => OidcAdapter) {
    override async consume(id: string): Promise<void> {
      try {
        await super.consume(id);
      } catch (err) {
        if (!(err instanceof AlreadyConsumedError)) throw err;
        if (err.grantId) {
          await Promise.all([this.revokeByGrantId(err.grantId), new Storage('Grant').destroy(err.grantId)]);
        }
        throw new errors.InvalidGrant(err.message);
      }
    }
  };
}
