import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Both languages of a message (server/fhir knows no caller's language). */
export interface Said {
  en: string;
  nl: string;
}

export class EndpointRefused extends Error {
  constructor(readonly said: Said) {
    super(said.en);
  }
}

/**
 * Addresses a notification never goes to unless the operator allows private endpoints: this
 * host, the private and shared ranges, link-local (cloud metadata at 169.254.169.254),
 * multicast and reserved ranges, and their IPv6 counterparts (IPv4-mapped ones included).
 */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return PRIVATE.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Where a REST-hook may point: an absolute https URL without credentials in it, whose host is
 * public (checked again at every delivery, on the address actually connected to, so a name
 * that later resolves to an internal address reaches nothing). `allowPrivate`
 * (SUBSCRIPTION_PRIVATE_ENDPOINTS=allow: tests, closed networks) also allows http and any address.
 */
export function checkEndpointSyntax(endpoint: unknown, allowPrivate: boolean): URL {
  let url: URL | undefined;
  try {
    url = typeof endpoint === 'string' ? new URL(endpoint) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || !['https:', 'http:'].includes(url.protocol)) {
    throw new EndpointRefused({
      en: `channel.endpoint must be an absolute https URL, not '${String(endpoint)}'`,
      nl: `channel.endpoint moet een absolute https-URL zijn, niet '${String(endpoint)}'`,
    });
  }
  if (url.protocol !== 'https:' && !allowPrivate) {
    throw new EndpointRefused({
      en: `channel.endpoint must use https: notifications carry patient data (${url.origin})`,
      nl: `channel.endpoint moet https gebruiken: meldingen bevatten patiëntgegevens (${url.origin})`,
    });
  }
  if (url.username || url.password) {
    throw new EndpointRefused({
      en: 'channel.endpoint must not hold a user name or password; put credentials in channel.header',
      nl: 'channel.endpoint mag geen gebruikersnaam of wachtwoord bevatten; zet die in channel.header',
    });
  }
  return url;
}

const internal = (host: string): Said => ({
  en: `channel.endpoint ${host} is not a public address (this server, a private network, link-local): notifications go to public https endpoints only`,
  nl: `channel.endpoint ${host} is geen openbaar adres (deze server, een privénetwerk, link-local): meldingen gaan alleen naar openbare https-adressen`,
});

/**
 * At subscription time, without a name lookup (this runs inside the write's transaction): a
 * literal address must be public, and `localhost` is this host. A name that resolves to an
 * internal address is refused when a delivery connects (`publicOnly`): the delivery fails, and
 * after the last try the Subscription is `error` saying why.
 */
export function checkEndpointHost(url: URL, allowPrivate: boolean): void {
  if (allowPrivate) return;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) && isPrivateAddress(host))) {
    throw new EndpointRefused(internal(host));
  }
}

/** A lookup that refuses private addresses, so the check holds for the connection itself. */
const publicOnly: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const list = addresses as LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad || !list.length) return callback(new EndpointRefused(internal(hostname)), '', 0);
    if ((options as { all?: boolean }).all)
      return (callback as (e: null, a: LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

/** One POST to a REST-hook endpoint: resolves with the status, rejects on a network failure or timeout. */
export function postNotification(
  url: URL,
  headers: Record<string, string>,
  body: string,
  options: { allowPrivate: boolean; timeoutMs: number },
): Promise<number> {
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivate && isIP(literal) && isPrivateAddress(literal)) {
    return Promise.reject(new EndpointRefused(internal(literal)));
  }
  const init: RequestOptions = {
    method: 'POST',
    headers: { ...headers, 'content-length': Buffer.byteLength(body).toString() },
    timeout: options.timeoutMs,
    ...(options.allowPrivate ? {} : { lookup: publicOnly }),
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, init, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
