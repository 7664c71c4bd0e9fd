import { expect } from 'chai';
import {
  checkEndpointHost,
  checkEndpointSyntax,
  EndpointRefused,
  isPrivateAddress,
  postNotification,
} from '../../../server/fhir/subscriptions/endpoint.ts';

describe('Subscription endpoints: public https only (SSRF guard)', () => {
  it('knows internal addresses, IPv4, IPv6 and IPv4-mapped', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.5',
      '172.20.1.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:10.1.1.1',
    ]) {
      expect(isPrivateAddress(a), a).to.equal(true);
    }
    for (const a of ['8.8.8.8', '145.222.1.1', '2a00:1450:400e::200e', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(a), a).to.equal(false);
    }
  });

  it('refuses http, credentials in the URL and internal hosts unless private endpoints are allowed', () => {
    expect(() => checkEndpointSyntax('http://example.org/x', false)).to.throw(EndpointRefused);
    expect(() => checkEndpointSyntax('https://u:p@example.org/x', false)).to.throw(EndpointRefused);
    expect(() => checkEndpointSyntax('not a url', true)).to.throw(EndpointRefused);
    expect(() => checkEndpointHost(new URL('https://localhost/x'), false)).to.throw(EndpointRefused);
    expect(() => checkEndpointHost(new URL('https://[::1]/x'), false)).to.throw(EndpointRefused);
    expect(() => checkEndpointHost(new URL('https://example.org/x'), false)).to.not.throw();
    expect(checkEndpointSyntax('http://127.0.0.1:9/x', true).port).to.equal('9');
    expect(() => checkEndpointHost(new URL('http://127.0.0.1/x'), true)).to.not.throw();
  });

  it('refuses at connection time a name that resolves to an internal address', async () => {
    const err = await postNotification(new URL('https://localhost:9/hook'), {}, '', {
      allowPrivate: false,
      timeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(EndpointRefused);
    const literal = await postNotification(new URL('https://10.0.0.1/hook'), {}, '', {
      allowPrivate: false,
      timeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(literal).to.be.instanceOf(EndpointRefused);
  });
});
