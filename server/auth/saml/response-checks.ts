import { SaxesParser } from 'saxes';
import { FhirError } from '../../fhir/errors.ts';

/**
 * Checks node-saml does not make (it verifies signatures, InResponseTo, audience and time
 * windows): every signature and digest is SHA-256, the Response is addressed to our ACS URL,
 * the signed assertion names our ACS URL as Recipient and the IdP we sent the user to as
 * Issuer. They run after the library's validation, on its verified assertion where the fact is
 * inside the signature, and on the raw response otherwise.
 */

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SIGNATURE_METHODS = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
]);
const DIGEST_METHODS = new Set(['http://www.w3.org/2001/04/xmlenc#sha256']);
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

export function refused(why: string): FhirError {
  return new FhirError(401, `SAML login refused: ${why}`, { code: 'login' });
}

/** passport-saml's terse messages, said so that whoever reads the OperationOutcome sees why. */
const LIBRARY_MESSAGES: [RegExp, string][] = [
  [/^Invalid signature/, 'the assertion is not signed with a certificate of this IdP'],
  [
    /^No valid subject confirmation/,
    'the assertion is expired, not yet valid or older than the maximum assertion age',
  ],
  [/^SAML assertion expired|^SAML assertion not yet valid/, 'the assertion is outside its validity window'],
  [
    /^InResponseTo is missing/,
    'the response answers no AuthnRequest of ours (unsolicited responses are refused)',
  ],
  [
    /^InResponseTo is not valid|^SubjectInResponseTo is not valid|^InResponseTo does not match/,
    'the response answers no outstanding AuthnRequest of ours for this IdP (unknown, expired or already answered)',
  ],
];

/** A library error → a 401 whose text says what was wrong, with the library's words after it. */
export function libraryRefusal(message: string): FhirError {
  const said = LIBRARY_MESSAGES.find(([re]) => re.test(message))?.[1];
  return refused(said ? `${said} (${message})` : message);
}

interface RawFacts {
  root: string;
  destination?: string;
  signatureMethods: string[];
  digestMethods: string[];
}

/** What the unsigned envelope says: read with a streaming parser, DOCTYPEs refused. */
function rawFacts(xml: string): RawFacts {
  const facts: RawFacts = { root: '', signatureMethods: [], digestMethods: [] };
  const parser = new SaxesParser({ xmlns: true });
  let depth = 0;
  parser.on('error', (err) => {
    throw refused(`the response is not well-formed XML (${err.message})`);
  });
  parser.on('doctype', () => {
    throw refused('the response has a DOCTYPE');
  });
  parser.on('opentag', (tag) => {
    const attr = (name: string) => tag.attributes[name]?.value;
    if (depth++ === 0) {
      facts.root = `${tag.uri ?? ''} ${tag.local}`;
      facts.destination = attr('Destination');
    }
    if (tag.uri === DSIG && tag.local === 'SignatureMethod')
      facts.signatureMethods.push(attr('Algorithm') ?? '');
    if (tag.uri === DSIG && tag.local === 'DigestMethod') facts.digestMethods.push(attr('Algorithm') ?? '');
  });
  parser.on('closetag', () => {
    depth--;
  });
  parser.write(xml).close();
  return facts;
}

type X = Record<string, unknown> & { $?: Record<string, string>; _?: string };
const children = (node: X | undefined, name: string): X[] => (node?.[name] as X[] | undefined) ?? [];

/** The facts of the verified assertion the login goes on with. */
export interface AssertionFacts {
  id: string;
  /** When the assertion stops being usable: until then its id is kept to refuse replays. */
  expiresAt: Date;
}

export function checkResponse(input: {
  /** The response as posted (base64-decoded). */
  responseXml: string;
  /** node-saml's parse of the signature-verified assertion (`profile.getAssertion()`). */
  assertion: unknown;
  acsUrl: string;
  idpEntityId: string;
  maxAssertionAgeMs: number;
  /** When set, the assertion's AuthnContextClassRef must be one of these. */
  authnContexts?: string[];
}): AssertionFacts {
  const raw = rawFacts(input.responseXml);
  if (raw.root !== `${PROTOCOL} Response`) throw refused('the message is not a SAML 2.0 Response');
  for (const alg of raw.signatureMethods) {
    if (!SIGNATURE_METHODS.has(alg))
      throw refused(`signature algorithm ${alg} is not accepted (SHA-256 only)`);
  }
  for (const alg of raw.digestMethods) {
    if (!DIGEST_METHODS.has(alg)) throw refused(`digest algorithm ${alg} is not accepted (SHA-256 only)`);
  }
  // A response meant for another service (or another IdP route of ours) must not log in here.
  if (raw.destination !== input.acsUrl) {
    throw refused(`the response's Destination (${raw.destination ?? 'none'}) is not this ACS URL`);
  }

  const assertion = (input.assertion as { Assertion?: X } | undefined)?.Assertion;
  const id = assertion?.$?.ID;
  if (!assertion || !id) throw refused('the signed assertion has no ID');
  const issuer = children(assertion, 'Issuer')[0]?._;
  if (issuer !== input.idpEntityId) {
    throw refused(`the assertion's Issuer (${issuer ?? 'none'}) is not this IdP (${input.idpEntityId})`);
  }
  const confirmations = children(children(assertion, 'Subject')[0], 'SubjectConfirmation');
  const bearer = confirmations.filter((c) => c.$?.Method === BEARER);
  if (bearer.length === 0) throw refused('the assertion has no bearer SubjectConfirmation');
  const data = bearer.map((c) => children(c, 'SubjectConfirmationData')[0]?.$ ?? {});
  for (const d of data) {
    if (d.Recipient !== input.acsUrl) {
      throw refused(`the assertion's Recipient (${d.Recipient ?? 'none'}) is not this ACS URL`);
    }
  }

  if (input.authnContexts) {
    const statement = children(assertion, 'AuthnStatement')[0];
    const classRef = children(children(statement, 'AuthnContext')[0], 'AuthnContextClassRef')[0]?._;
    // A weaker login than the IdP was asked for (e.g. DigiD Basis where Substantieel is needed).
    if (!classRef || !input.authnContexts.includes(classRef)) {
      throw refused(`the login's AuthnContextClassRef (${classRef ?? 'none'}) is not one this IdP must use`);
    }
  }

  // Kept until the last moment any check could still accept it.
  const issued = Date.parse(assertion.$?.IssueInstant ?? '');
  const ends = [
    ...data.map((d) => Date.parse(d.NotOnOrAfter ?? '')),
    Date.parse(children(assertion, 'Conditions')[0]?.$?.NotOnOrAfter ?? ''),
    Number.isNaN(issued) ? NaN : issued + input.maxAssertionAgeMs,
  ].filter((t) => !Number.isNaN(t));
  const expiresAt = new Date(ends.length ? Math.max(...ends) : Date.now() + input.maxAssertionAgeMs);
  return { id, expiresAt };
}
