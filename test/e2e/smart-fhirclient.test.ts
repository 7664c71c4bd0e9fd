import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import smart from 'fhirclient';
import { putResources, startTestServer, type TestServer } from '../support/harness.ts';
import { browse, CookieJar, formAction, registerApp, type AppClient } from '../support/smart-flow.ts';

/**
 * One full standalone launch driven by the SMART JavaScript library (fhirclient, node entry):
 * a tiny express app is the SMART app, the test is the browser.
 */
describe('SMART launch with the fhirclient library', function () {
  let server: TestServer;
  let appServer: Server;
  let appUrl: string;
  let client: AppClient;

  before(async () => {
    server = await startTestServer({}, { config: { smart: { devLogin: true, cookieKeys: [] } } });
    await putResources(server, [
      ['Practitioner', 'dr-a', {}],
      ['Patient', 'p1', { generalPractitioner: [{ reference: 'Practitioner/dr-a' }] }],
    ]);
    // fhirclient keeps its state in a server-side store; one browser here, so one map.
    const state = new Map<string, unknown>();
    const storage = {
      get: async (key: string) => state.get(key),
      set: async (key: string, value: unknown) => {
        state.set(key, value);
        return value;
      },
      unset: async (key: string) => state.delete(key),
    };
    const app = express();
    app.get('/launch', async (req, res, next) => {
      try {
        await smart(req, res, storage).authorize({
          clientId: client.clientId,
          scope: 'openid fhirUser launch/patient offline_access patient/Patient.rs',
          redirectUri: '/callback',
          iss: server.base,
          pkceMode: 'required',
        });
      } catch (err) {
        next(err);
      }
    });
    app.get('/callback', async (req, res, next) => {
      try {
        const fhir = await smart(req, res, storage).ready();
        const patient = (await fhir.patient.read()) as { id: string };
        res.json({
          patient: patient.id,
          user: fhir.user.fhirUser,
          scope: fhir.state.tokenResponse?.scope,
          refresh: Boolean(fhir.state.tokenResponse?.refresh_token),
        });
      } catch (err) {
        next(err);
      }
    });
    app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ error: err.message });
    });
    appServer = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => appServer.once('listening', resolve));
    appUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
    client = await registerApp(server, {
      scope: 'patient/*.rs',
      public: true,
      redirectUri: `${appUrl}/callback`,
    });
  });
  after(async () => {
    await new Promise((resolve) => appServer?.close(resolve));
    await server?.close();
  });

  it('authorize() → login → pick the patient → ready() → reads the patient in context', async () => {
    const jar = new CookieJar();
    const login = await browse(jar, `${appUrl}/launch`);
    expect(login.url).to.contain('/oauth/interaction/');
    const consent = await browse(jar, formAction(server, login.text, '/dev-login'), {
      method: 'POST',
      form: { person: 'Practitioner/dr-a' },
    });
    const done = await browse(jar, formAction(server, consent.text, '/confirm'), {
      method: 'POST',
      form: { patient: 'p1' },
    });
    expect(done.res.status, done.text).to.equal(200);
    const result = JSON.parse(done.text) as Record<string, unknown>;
    expect(result).to.include({ patient: 'p1', user: 'Practitioner/dr-a', refresh: true });
    expect(String(result.scope)).to.contain('patient/Patient.rs');
  });
});
