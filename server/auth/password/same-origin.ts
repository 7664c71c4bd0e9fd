import type { Request } from 'express';
import { FhirError } from '../../fhir/errors.ts';

/**
 * Whether a form POST came from our own pages. The login forms rest on oidc-provider's
 * interaction cookie, which is SameSite=Lax and so absent from another site's POST; this is
 * the second lock, for browsers that say where a request comes from, and it guards the forms
 * that need no cookie (a new password's request). `Origin: null` is not refused: a browser sends
 * it for a POST from a page with `Referrer-Policy: no-referrer` (the reset page), and it names no
 * other site; `Sec-Fetch-Site` still tells a cross-site one.
 */
export function assertSameOrigin(req: Request, publicBase: string): void {
  const origin = req.headers.origin;
  const foreign = origin !== undefined && origin !== 'null' && origin !== new URL(publicBase).origin;
  if (foreign || req.headers['sec-fetch-site'] === 'cross-site') {
    throw new FhirError(
      403,
      'This form was sent from another site; open the login page itself / Dit formulier kwam van een andere site; open de inlogpagina zelf',
      { code: 'forbidden' },
    );
  }
}
