import { expect } from 'chai';
import { checkResponse, libraryRefusal } from '../../../server/auth/saml/response-checks.ts';

const ACS = 'https://zp.example/saml/acs/uzi';
const IDP = 'https://idp.example/saml';
const SHA256 = `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>
  <ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
  <ds:Reference><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/></ds:Reference>
</ds:SignedInfo></ds:Signature>`;
const response = (attrs = `Destination="${ACS}"`, inner = SHA256) =>
  `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ${attrs}>${inner}</samlp:Response>`;

/** node-saml's xml2js shape of a verified assertion. */
function assertion(over: { recipient?: string; issuer?: string; classRef?: string; method?: string } = {}) {
  return {
    Assertion: {
      $: { ID: '_a1', IssueInstant: '2026-01-01T12:00:00Z' },
      Issuer: [{ _: over.issuer ?? IDP }],
      Subject: [
        {
          SubjectConfirmation: [
            {
              $: { Method: over.method ?? 'urn:oasis:names:tc:SAML:2.0:cm:bearer' },
              SubjectConfirmationData: [
                { $: { Recipient: over.recipient ?? ACS, NotOnOrAfter: '2026-01-01T12:05:00Z' } },
              ],
            },
          ],
        },
      ],
      Conditions: [{ $: { NotOnOrAfter: '2026-01-01T12:10:00Z' } }],
      AuthnStatement: [
        { AuthnContext: [{ AuthnContextClassRef: [{ _: over.classRef ?? 'urn:x:Password' }] }] },
      ],
    },
  };
}

const check = (responseXml: string, a: unknown = assertion(), authnContexts?: string[]) =>
  checkResponse({
    responseXml,
    assertion: a,
    acsUrl: ACS,
    idpEntityId: IDP,
    maxAssertionAgeMs: 300_000,
    authnContexts,
  });

describe('SAML response checks', () => {
  it('accepts a conforming response; the id is kept until the latest end of validity', () => {
    expect(check(response())).to.deep.equal({ id: '_a1', expiresAt: new Date('2026-01-01T12:10:00Z') });
  });

  it('refuses DOCTYPEs, other messages, missing or other Destinations', () => {
    expect(() => check(`<!DOCTYPE x [<!ENTITY e "x">]>${response()}`)).to.throw(/DOCTYPE/);
    expect(() =>
      check('<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>'),
    ).to.throw(/not a SAML 2.0 Response/);
    expect(() => check(response(''))).to.throw(/Destination \(none\)/);
    expect(() => check(response(`Destination="${ACS}x"`))).to.throw(/Destination/);
    expect(() => check('<not xml')).to.throw(/not well-formed/);
  });

  it('refuses SHA-1 anywhere in the document', () => {
    expect(() => check(response(undefined, SHA256.replace('xmlenc#sha256', 'xmldsig#sha1')))).to.throw(
      /digest algorithm .*sha1/,
    );
    expect(() => check(response(undefined, SHA256.replace('more#rsa-sha256', 'more#rsa-sha1')))).to.throw(
      /signature algorithm/,
    );
  });

  it('refuses another Issuer, another Recipient, no bearer confirmation', () => {
    expect(() => check(response(), assertion({ issuer: 'https://evil' }))).to.throw(/Issuer/);
    expect(() => check(response(), assertion({ recipient: 'https://evil/acs' }))).to.throw(/Recipient/);
    expect(() =>
      check(response(), assertion({ method: 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key' })),
    ).to.throw(/no bearer/);
  });

  it('holds the AuthnContextClassRef to the configured ones', () => {
    expect(() => check(response(), assertion(), ['urn:x:Smartcard'])).to.throw(/urn:x:Password/);
    expect(check(response(), assertion({ classRef: 'urn:x:Smartcard' }), ['urn:x:Smartcard']).id).to.equal(
      '_a1',
    );
  });

  it('says what a library error means', () => {
    expect(libraryRefusal('InResponseTo is missing from response').message).to.match(/unsolicited/);
    expect(libraryRefusal('Something new').message).to.equal('SAML login refused: Something new');
    expect(libraryRefusal('Invalid signature').status).to.equal(401);
  });
});
