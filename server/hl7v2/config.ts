import type { Hl7Sender } from './listener.ts';

export interface Hl7Config {
  port: number;
  host: string;
  maxFrameBytes: number;
  /** At most this many connections at once; more are closed as they come. */
  maxConnections: number;
  /** A connection that sends nothing this long is closed (a half-sent frame would hold its memory). */
  idleSeconds: number;
  senders: Hl7Sender[];
  tls?: { certFile: string; keyFile: string; caFiles: string[] };
}

/**
 * `HL7_MLLP_SENDERS`: `APP^FACILITY=client-id[@address,address…]`, `;` between senders. A
 * message is taken only from a listed MSH-3^MSH-4, from one of its addresses (any when none are
 * listed), and applied as that registered backend client (`npm run clients -- register`).
 */
export function parseSenders(text: string): Hl7Sender[] {
  return text
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^([^^=]+)\^([^=]+)=([^@]+)(?:@(.+))?$/.exec(entry);
      if (!m) {
        throw new Error(
          `HL7_MLLP_SENDERS: '${entry}' is not APP^FACILITY=client-id[@address,…] (e.g. HIX^ZKH=his-client@10.0.0.5)`,
        );
      }
      return {
        application: m[1]!.trim(),
        facility: m[2]!.trim(),
        clientId: m[3]!.trim(),
        addresses: (m[4] ?? '')
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean),
      };
    });
}

/** The MLLP listener's settings; off (undefined) unless `HL7_MLLP_PORT` is set. */
export function hl7Config(env: NodeJS.ProcessEnv, defaultHost: string): Hl7Config | undefined {
  if (!env.HL7_MLLP_PORT) return undefined;
  const port = Number(env.HL7_MLLP_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error('HL7_MLLP_PORT must be a port number');
  const maxFrameBytes = Number(env.HL7_MLLP_MAX_BYTES ?? 10 * 1024 * 1024);
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 1024)
    throw new Error('HL7_MLLP_MAX_BYTES must be at least 1024');
  const cert = env.HL7_MLLP_TLS_CERT_FILE;
  const key = env.HL7_MLLP_TLS_KEY_FILE;
  if (Boolean(cert) !== Boolean(key))
    throw new Error('HL7_MLLP_TLS_CERT_FILE and HL7_MLLP_TLS_KEY_FILE go together');
  const senders = parseSenders(env.HL7_MLLP_SENDERS ?? '');
  // MSH-3^4 is in every message and no secret: a sender is also known by where it connects from,
  // or by a certificate of the configured CAs.
  const open = senders.filter((s) => s.addresses.length === 0);
  if (open.length && !env.HL7_MLLP_TLS_CA_FILES) {
    throw new Error(
      `HL7_MLLP_SENDERS: ${open.map((s) => `${s.application}^${s.facility}`).join(', ')} names no address; ` +
        'list the addresses it connects from (APP^FACILITY=client@10.0.0.5), or require client certificates (HL7_MLLP_TLS_CA_FILES)',
    );
  }
  return {
    port,
    host: env.HL7_MLLP_HOST || defaultHost,
    maxFrameBytes,
    maxConnections: Number(env.HL7_MLLP_MAX_CONNECTIONS ?? 64),
    idleSeconds: Number(env.HL7_MLLP_IDLE_SECONDS ?? 600),
    senders,
    ...(cert && key
      ? {
          tls: {
            certFile: cert,
            keyFile: key,
            caFiles: (env.HL7_MLLP_TLS_CA_FILES ?? '').split(',').filter(Boolean),
          },
        }
      : {}),
  };
}
