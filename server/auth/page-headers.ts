import type { Request, Response } from 'express';
import type { Language } from '../domain/language.ts';

/**
 * The headers of a page outside the FHIR API that holds a secret link or takes a password (an
 * invitation, a portal registration): never cached, the link not passed on as a referrer, no
 * scripts, no other site's frames, forms posted back here only.
 */
export function pageHeaders(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  );
}

/** The page's language from Accept-Language (nl or en); none asked: both. */
export function pageLanguage(req: Request): Language {
  if (!req.headers['accept-language']) return undefined;
  return (req.acceptsLanguages('nl', 'en') as 'nl' | 'en' | false) || undefined;
}
