import { inflateRawSync } from 'node:zlib';

/**
 * A browser for SAML flows: fetch with a cookie jar, redirects followed by hand (so each hop
 * is visible), and the HTML forms an IdP answers with read by regular expressions.
 */
export class CookieBrowser {
  private jar = new Map<string, Map<string, string>>();

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const host = new URL(url).host;
    const cookies = this.jar.get(host);
    const headers = new Headers(init.headers);
    if (cookies?.size) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      if (!this.jar.has(host)) this.jar.set(host, new Map());
      this.jar.get(host)!.set(pair!.slice(0, i).trim(), pair!.slice(i + 1).trim());
    }
    return res;
  }

  /** GETs, following redirects, until a page that is not a redirect. */
  async follow(url: string, init: RequestInit = {}): Promise<{ url: string; res: Response }> {
    let res = await this.fetch(url, init);
    for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
      if (hops > 10) throw new Error('too many redirects');
      url = new URL(res.headers.get('location')!, url).toString();
      res = await this.fetch(url);
    }
    return { url, res };
  }
}

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#0*39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The first form of an HTML page: its action and its named inputs. */
export function readForm(html: string, base: string): { action: string; fields: Record<string, string> } {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no form in page:\n${html.slice(0, 2000)}`);
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input[^>]*>/gi)) {
    const name = /name="([^"]*)"/i.exec(input[0])?.[1];
    const value = /value="([^"]*)"/i.exec(input[0])?.[1] ?? '';
    if (name) fields[decode(name)] = decode(value);
  }
  return { action: new URL(decode(form[1]!), base).toString(), fields };
}

/** The AuthnRequest of an HTTP-Redirect URL, inflated. */
export function authnRequestXml(redirectUrl: string): string {
  const saml = new URL(redirectUrl).searchParams.get('SAMLRequest');
  if (!saml) throw new Error(`no SAMLRequest in ${redirectUrl}`);
  return inflateRawSync(Buffer.from(saml, 'base64')).toString('utf8');
}

/** The ID of the AuthnRequest in an HTTP-Redirect URL. */
export function authnRequestId(redirectUrl: string): string {
  const xml = authnRequestXml(redirectUrl);
  const id = /<(?:\w+:)?AuthnRequest[^>]*\sID="([^"]+)"/.exec(xml)?.[1];
  if (!id) throw new Error(`no ID in ${xml}`);
  return id;
}

export interface IdpAnswer {
  /** Where the IdP's auto-POST form goes (our ACS). */
  acs: string;
  SAMLResponse: string;
  RelayState?: string;
  /** The id of the AuthnRequest this login started with. */
  requestId: string;
}

/**
 * Our login redirect → the IdP's login form → its auto-POST form, stopping before the POST to
 * our ACS so a test can send (or first tamper with) the response itself.
 */
export async function loginAtIdp(
  spBase: string,
  idp: string,
  user: { username: string; password: string },
  relayState?: string,
): Promise<IdpAnswer> {
  const browser = new CookieBrowser();
  const start = `${spBase}/saml/login/${idp}${relayState === undefined ? '' : `?RelayState=${encodeURIComponent(relayState)}`}`;
  const first = await browser.fetch(start);
  if (first.status !== 302) throw new Error(`login start answered ${first.status}: ${await first.text()}`);
  const redirect = first.headers.get('location')!;
  const requestId = authnRequestId(redirect);
  const page = await browser.follow(redirect);
  const login = readForm(await page.res.text(), page.url);
  const posted = await browser.fetch(login.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...login.fields, username: user.username, password: user.password }),
  });
  let html: string;
  let at = login.action;
  if (posted.status >= 300 && posted.status < 400) {
    const next = await browser.follow(new URL(posted.headers.get('location')!, login.action).toString());
    html = await next.res.text();
    at = next.url;
  } else {
    html = await posted.text();
  }
  const auto = readForm(html, at);
  if (!auto.fields.SAMLResponse)
    throw new Error(`the IdP did not answer with a SAMLResponse:\n${html.slice(0, 2000)}`);
  return {
    acs: auto.action,
    SAMLResponse: auto.fields.SAMLResponse,
    RelayState: auto.fields.RelayState,
    requestId,
  };
}

/** POSTs a response to an ACS as the IdP's auto-POST form would. */
export function postToAcs(acs: string, samlResponse: string, relayState?: string): Promise<Response> {
  const form = new URLSearchParams({ SAMLResponse: samlResponse });
  if (relayState !== undefined) form.set('RelayState', relayState);
  return fetch(acs, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/fhir+json' },
    body: form,
    redirect: 'manual',
  });
}
