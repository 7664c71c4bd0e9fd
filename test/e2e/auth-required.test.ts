import { expect } from 'chai';
import { resourceRoutes } from '../../server/fhir/rest/routes.ts';
import { startTestServer, type TestServer } from '../support/harness.ts';

/** A concrete path for a route pattern. */
function pathOf(pattern: string[], types: string[] | undefined): string {
  return pattern
    .map((seg) => {
      if (seg === 'type') return types?.[0] ?? 'Patient';
      if (seg === 'id') return 'p1';
      if (seg === 'vid') return '1';
      if (seg === 'target') return 'Observation';
      return seg;
    })
    .join('/');
}

describe('a caller without credentials', function () {
  this.timeout(60_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    // Something to find, so a 401 is not a 404 in disguise.
    const put = await server.fetch('Patient/p1', {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient', id: 'p1' }),
    });
    expect(put.status).to.equal(201);
  });
  after(() => server.close());

  const anonymous = (path: string, method: string) =>
    fetch(`${server.base}/${path}`, {
      method,
      headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
      ...(method === 'GET' || method === 'HEAD' || method === 'DELETE'
        ? {}
        : { body: JSON.stringify({ resourceType: 'Patient' }) }),
    });

  it('gets 401 with WWW-Authenticate and an OperationOutcome on every FHIR interaction', async () => {
    const cases = [
      ...resourceRoutes.map((r) => ({ method: r.method, path: pathOf(r.pattern, r.types) })),
      { method: 'POST', path: '' },
      { method: 'GET', path: 'NoSuchType/1' },
    ];
    expect(cases.length).to.be.greaterThan(20);
    for (const { method, path } of cases) {
      const res = await anonymous(method === 'GET' && path === 'Patient' ? 'Patient?_id=p1' : path, method);
      expect(res.status, `${method} /${path}`).to.equal(401);
      expect(res.headers.get('www-authenticate'), `${method} /${path}`).to.match(/^Bearer realm="zorgpoort"/);
      if (method === 'HEAD') continue; // no body to read
      const body = (await res.json()) as { resourceType: string; issue: { code: string }[] };
      expect(body.resourceType).to.equal('OperationOutcome');
      expect(body.issue[0]!.code).to.equal('login');
    }
  });

  it('still reads the CapabilityStatement (discovery)', async () => {
    const res = await anonymous('metadata', 'GET');
    expect(res.status).to.equal(200);
    expect(((await res.json()) as { resourceType: string }).resourceType).to.equal('CapabilityStatement');
  });

  it('is refused before a large body is read', async () => {
    const res = await fetch(`${server.base}/Patient`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: 'x'.repeat(5_000_000),
    });
    expect(res.status).to.equal(401);
  });

  it('a malformed or unknown bearer token is 401 with error="invalid_token" or "invalid_request"', async () => {
    const unknown = await fetch(`${server.base}/Patient/p1`, { headers: { authorization: 'Bearer nope' } });
    expect(unknown.status).to.equal(401);
    expect(unknown.headers.get('www-authenticate')).to.contain('error="invalid_token"');
    const basic = await fetch(`${server.base}/Patient/p1`, { headers: { authorization: 'Basic YTpi' } });
    expect(basic.status).to.equal(401);
    expect(basic.headers.get('www-authenticate')).to.contain('error="invalid_request"');
  });
});
