/** Our SP metadata: one entity, one ACS endpoint (HTTP-POST) per configured IdP. */

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function certBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

export function spMetadata(sp: { entityId: string; acsUrls: string[]; signingCert?: string }): string {
  const key = sp.signingCert
    ? `    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>${certBody(sp.signingCert)}</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>\n`
    : '';
  const acs = sp.acsUrls
    .map(
      (url, i) =>
        `    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${escape(url)}" index="${i}"${i === 0 ? ' isDefault="true"' : ''}/>\n`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${escape(sp.entityId)}">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" AuthnRequestsSigned="${sp.signingCert ? 'true' : 'false'}" WantAssertionsSigned="true">
${key}${acs}  </md:SPSSODescriptor>
</md:EntityDescriptor>
`;
}
