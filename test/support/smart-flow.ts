import { createHash, randomBytes } from 'node:crypto';
import type { TestServer } from './harness.ts';

/** A browser's cookie jar, enough for the login cookies (name, value, path). */
export class CookieJar {
  private cookies = new Map<string, { value: string; path: string }>();

  store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const path =
        attrs
          .map((a) => a.trim())
          .find((a) => /^path=/i.test(a))
          ?.slice(5) ?? '/';
      const expired = attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) this.cookies.delete(`${name};${path}`);
      else this.cookies.set(`${name};${path}`, { value, path });
    }
  }

  header(url: URL): string {
    return [...this.cookies.entries()]
      .filter(([, c]) => url.pathname.startsWith(c.path))
      .map(([key, c]) => `${key.split(';')[0]}=${c.value}`)
      .join('; ');
  }
}

/**
 * A browser: follows redirects with the cookie jar until it leaves the server (the app's
 * redirect_uri) or gets a page. Returns the last response and the URL it stopped at.
 */
export async function browse(
  jar: CookieJar,
  url: string,
  init: {
    method?: string;
    form?: Record<string, string>;
    stopAt?: string;
    /** Where a URL is really fetched (several nodes behind one public base URL). */
    route?: (url: URL) => URL;
  } = {},
): Promise<{ res: Response; url: string; text: string }> {
  let current = new URL(url);
  let method = init.method ?? 'GET';
  let body: string | undefined = init.form ? new URLSearchParams(init.form).toString() : undefined;
  for (let hops = 0; hops < 20; hops++) {
    const res = await fetch(init.route ? init.route(current) : current, {
      method,
      redirect: 'manual',
      headers: {
        cookie: jar.header(current),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
    });
    jar.store(res);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, current);
      if (init.stopAt && next.href.startsWith(init.stopAt)) {
        return { res, url: next.href, text: '' };
      }
      current = next;
      method = 'GET';
      body = undefined;
      continue;
    }
    return { res, url: current.href, text: await res.text() };
  }
  throw new Error('too many redirects');
}

export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const REDIRECT_URI = 'http://127.0.0.1:1/callback';

export interface AppClient {
  clientId: string;
  clientSecret?: string;
}

export async function registerApp(
  server: TestServer,
  opts: { scope: string; public?: boolean; redirectUri?: string },
): Promise<AppClient> {
  const { client, clientSecret } = await server.app.smart.clients.register({
    name: 'Test app',
    scope: opts.scope,
    redirectUris: [opts.redirectUri ?? REDIRECT_URI],
    public: opts.public ?? false,
  });
  return { clientId: client.clientId, ...(clientSecret ? { clientSecret } : {}) };
}

export function authorizeUrl(
  server: TestServer,
  client: AppClient,
  params: Record<string, string | undefined>,
) {
  const url = new URL(`${server.base}/oauth/authorize`);
  const all: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: REDIRECT_URI,
    state: randomBytes(8).toString('hex'),
    aud: server.base,
    ...params,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) url.searchParams.set(k, v);
  return url.href;
}

/** The form action of a page (`/dev-login`, `/confirm`), as an absolute URL. */
export function formAction(server: TestServer, html: string, ending: string): string {
  const m = new RegExp(`action="([^"]*${ending})"`).exec(html);
  if (!m) throw new Error(`no form ending in ${ending} on the page:\n${html}`);
  return new URL(m[1]!.replace(/&#47;/g, '/'), server.base).href;
}

/**
 * A whole authorization code flow through the login pages: dev login as `person`, allow (picking
 * `patient` when asked), and the code from the redirect. Returns the code and the jar.
 */
export async function authorize(
  server: TestServer,
  client: AppClient,
  opts: { scope: string; person: string; patient?: string; params?: Record<string, string | undefined> },
): Promise<{ code?: string; redirect: URL; verifier: string; jar: CookieJar }> {
  const jar = new CookieJar();
  const { verifier, challenge } = pkce();
  const start = await browse(
    jar,
    authorizeUrl(server, client, {
      scope: opts.scope,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...opts.params,
    }),
    { stopAt: REDIRECT_URI },
  );
  let step = start;
  if (!step.url.startsWith(REDIRECT_URI)) {
    step = await browse(jar, formAction(server, step.text, '/dev-login'), {
      method: 'POST',
      form: { person: opts.person },
      stopAt: REDIRECT_URI,
    });
  }
  if (!step.url.startsWith(REDIRECT_URI)) {
    step = await browse(jar, formAction(server, step.text, '/confirm'), {
      method: 'POST',
      form: opts.patient ? { patient: opts.patient } : {},
      stopAt: REDIRECT_URI,
    });
  }
  if (!step.url.startsWith(REDIRECT_URI))
    throw new Error(`the flow did not come back to the app:\n${step.text}`);
  const redirect = new URL(step.url);
  return { code: redirect.searchParams.get('code') ?? undefined, redirect, verifier, jar };
}

/** POSTs to the token endpoint as the app (basic auth for a confidential one). */
export async function tokenRequest(
  server: TestServer,
  client: AppClient,
  params: Record<string, string | undefined>,
): Promise<{ status: number; headers: Headers; body: Record<string, any> }> {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) form.set(k, v);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client.clientSecret) {
    headers.authorization = `Basic ${Buffer.from(
      `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`,
    ).toString('base64')}`;
  } else form.set('client_id', client.clientId);
  const res = await fetch(`${server.base}/oauth/token`, { method: 'POST', headers, body: form });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

/** The authorization code grant: a code and its PKCE verifier for tokens. */
export function exchangeCode(
  server: TestServer,
  client: AppClient,
  code: string | null | undefined,
  verifier: string,
): ReturnType<typeof tokenRequest> {
  return tokenRequest(server, client, {
    grant_type: 'authorization_code',
    code: code ?? undefined,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
}

/**
 * A person's bearer token from an app's authorization code flow (dev login as `person`, e.g.
 * `Practitioner/gp`), with `scope`; `patient` answers the patient picker.
 */
export async function personToken(
  server: TestServer,
  person: string,
  scope = 'openid fhirUser user/*.cruds',
  patient?: string,
): Promise<string> {
  const app = await registerApp(server, { scope });
  const { code, verifier } = await authorize(server, app, { scope, person, ...(patient ? { patient } : {}) });
  const token = await exchangeCode(server, app, code, verifier);
  if (token.status !== 200) throw new Error(`no token for ${person}: ${JSON.stringify(token.body)}`);
  return `Bearer ${token.body.access_token as string}`;
}
