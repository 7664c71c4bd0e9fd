import type { Hl7Sender } from './listener.ts';

export interface Hl7Config {
  port: number;
  host: string;
  maxFrameBytes: number;
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
  return {
    port,
    host: env.HL7_MLLP_HOST || defaultHost,
    maxFrameBytes,
    senders: parseSenders(env.HL7_MLLP_SENDERS ?? ''),
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
