import type { TLSSocket } from 'node:tls';
import { FhirError } from '../../fhir/errors.ts';
import { otherNames } from './certificate-san.ts';
import { isPersonCard, parseUziOtherName, UZI_OTHERNAME_OID, type UziCard } from './uzi-card.ts';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="zorgpoort"' };

function refuse(message: string): never {
  throw new FhirError(401, message, { code: 'login', headers: CHALLENGE });
}

/**
 * The UZI card of a TLS client, or undefined when the client presented no certificate. The TLS
 * layer has already checked the chain against the configured UZI CAs and the revocation lists
 * (`ca`, `crl`, `requestCert` without `rejectUnauthorized`, so a login failure can be explained
 * in an OperationOutcome instead of a dropped handshake); here its verdict is read and the card
 * is checked for being a person's.
 */
export function uziCardOf(socket: TLSSocket): UziCard | undefined {
  // The certificate is fixed for the connection: decode it once, not on every keep-alive request.
  if (cards.has(socket)) return cards.get(socket);
  const card = readCard(socket);
  cards.set(socket, card);
  return card;
}

const cards = new WeakMap<TLSSocket, UziCard | undefined>();

function readCard(socket: TLSSocket): UziCard | undefined {
  const peer = socket.getPeerCertificate();
  if (!peer || !peer.raw) return undefined;
  if (!socket.authorized) {
    const reason = String(socket.authorizationError ?? 'not trusted');
    refuse(
      reason === 'CERT_REVOKED'
        ? 'The UZI certificate has been revoked'
        : `The client certificate is not issued by a trusted UZI CA (${reason})`,
    );
  }
  const card = cardIn(peer.raw);
  if (!card) refuse('The client certificate carries no UZI number (subjectAltName otherName 2.5.5.5)');
  if (!isPersonCard(card)) {
    refuse(
      card.cardType === 'S'
        ? 'A UZI server certificate cannot log in a person'
        : 'An unnamed UZI employee card (type M) cannot log in a person',
    );
  }
  return card;
}

/**
 * The UZI number a client certificate carries, whether or not it is trusted: a refused login
 * is logged with what it presented (a revoked card still names its holder).
 */
export function presentedUziNumber(socket: TLSSocket): string | undefined {
  const peer = socket.getPeerCertificate();
  if (!peer || !peer.raw) return undefined;
  try {
    return cardIn(peer.raw)?.uziNumber;
  } catch {
    return undefined;
  }
}

/** The UZI card fields in a certificate's subjectAltName otherName 2.5.5.5, if any. */
function cardIn(raw: Buffer): UziCard | undefined {
  return otherNames(raw, UZI_OTHERNAME_OID)
    .map(parseUziOtherName)
    .find((c) => c !== undefined);
}
