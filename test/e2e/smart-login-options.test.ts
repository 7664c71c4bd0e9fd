import { expect } from 'chai';
import { pino } from 'pino';
import { loadConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/server.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/harness.ts';
import { authorizeUrl, browse, CookieJar, pkce } from '../support/smart-flow.ts';

/** The login page lists the login options handed to createApp (the SAML IdPs), per interaction. */
describe('SMART login options', () => {
  let server: RunningServer;
  let database: ThrowawayDatabase | undefined;
  before(async () => {
    const adminUrl = process.env.DATABASE_URL;
    database = adminUrl ? await createThrowawayDatabase(adminUrl) : undefined;
    server = await startServer(
      { ...loadConfig({}), port: 0, databaseUrl: database?.url, pgliteDataDir: 'memory://' },
      {
        logger: pino({ level: 'silent' }),
        loginOptions: [{ label: 'Ziekenhuis IdP (SAML)', href: (uid) => `/saml/zh/login?uid=${uid}` }],
      },
    );
  });
  after(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('shows each option with the interaction uid, and no development login by default', async () => {
    const { client } = await server.app.smart.clients.register({
      name: 'App',
      scope: 'patient/*.rs',
      redirectUris: ['http://127.0.0.1:1/callback'],
    });
    const test = { base: server.url } as Parameters<typeof authorizeUrl>[0];
    const page = await browse(
      new CookieJar(),
      authorizeUrl(
        test,
        { clientId: client.clientId },
        {
          scope: 'launch/patient patient/Patient.rs',
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        },
      ),
    );
    const uid = /\/oauth\/interaction\/([^/?#]+)/.exec(page.url)![1]!;
    expect(page.text).to.contain(`href="/saml/zh/login?uid=${uid}"`);
    expect(page.text).to.contain('Ziekenhuis IdP (SAML)');
    expect(page.text).to.not.contain('dev-login');
    // Without DEV_LOGIN there is no route for it either.
    const res = await fetch(`${server.url}/oauth/interaction/${uid}/dev-login`, { method: 'POST' });
    expect(res.status).to.not.equal(200);
    expect(res.status).to.not.equal(303);
  });
});
