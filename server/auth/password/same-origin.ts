import type { Request } from 'express';
import { FhirError } from '../../fhir/errors.ts';

/**
 * Whether a form POST came from our own pages. The login forms rest on oidc-provider's
 * interaction cookie, which is SameSite=Lax and so absent from another site's POST; this is
 * the second lock, for browsers that say where a request comes from (Origin, Sec-Fetch-Site),
 * and it guards the forms that need no cookie (a new password's request).
 */
export function assertSameOrigin(req: Request, publicBase: string): void {
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  const ours = new URL(publicBase).origin;
  if (
    site === 'cross-site' ||
    (origin !== undefined && origin !== 'null' && origin !== ours) ||
    origin === 'null'
  ) {
    throw new FhirError(
      403,
      'This form was sent from another site; open the login page itself / Dit formulier kwam van een andere site; open de inlogpagina zelf',
      {
        code: 'forbidden',
      },
    );
  }
}
