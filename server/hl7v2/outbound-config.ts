import { readFileSync } from 'node:fs';
import type { MllpEndpoint } from './mllp-client.ts';

/** A receiving system: the organisation it serves (AGB), where it listens, its MSH-5. */
export interface Hl7Destination {
  /** The AGB code of the receiving organisation: a message for it goes here. */
  agb: string;
  endpoint: MllpEndpoint;
  /** MSH-5 (receiving application), when the receiver wants one. */
  application?: string;
}

export interface Hl7OutboundConfig {
  /** MSH-3 of what we send. */
  application: string;
  processingId: 'P' | 'T' | 'D';
  destinations: Map<string, Hl7Destination>;
  /** The first retry waits this long; each next one twice as long, up to `retryMaxSeconds`. */
  retrySeconds: number;
  retryMaxSeconds: number;
  ackTimeoutMs: number;
  /** Days the message log keeps a message no longer queued (HL7_MESSAGE_RETENTION_DAYS; it holds patient data). */
  retentionDays: number;
}

/**
 * `HL7_DESTINATIONS`: `AGB=mllp://host:port[/APPLICATION]`, `;` between destinations
 * (`mllps://` for TLS, verified against `HL7_OUTBOUND_TLS_CA_FILES` or the system's CAs, with
 * `HL7_OUTBOUND_TLS_CERT_FILE`/`_KEY_FILE` as our client certificate).
 */
export function parseDestinations(text: string, tls?: MllpEndpoint['tls']): Map<string, Hl7Destination> {
  const out = new Map<string, Hl7Destination>();
  for (const entry of text
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(\d{8})=(mllps?):\/\/([^:/]+|\[[^\]]+\]):(\d{1,5})(?:\/([^/]+))?$/.exec(entry);
    if (!m) {
      throw new Error(
        `HL7_DESTINATIONS: '${entry}' is not AGB=mllp://host:port[/APPLICATION] (e.g. 06010713=mllp://10.0.0.7:2575/HIX)`,
      );
    }
    const [, agb, scheme, host, port, application] = m;
    if (Number(port) < 1 || Number(port) > 65535)
      throw new Error(`HL7_DESTINATIONS: '${entry}' names no port (1-65535)`);
    if (out.has(agb!)) throw new Error(`HL7_DESTINATIONS: AGB ${agb} is listed twice`);
    out.set(agb!, {
      agb: agb!,
      endpoint: {
        host: host!.replace(/^\[|\]$/g, ''),
        port: Number(port),
        ...(scheme === 'mllps' ? { tls: tls ?? {} } : {}),
      },
      ...(application ? { application: decodeURIComponent(application) } : {}),
    });
  }
  return out;
}

/** A whole number of at least `min` (seconds or days: a retry every millisecond would hammer a receiver). */
const whole = (env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1) => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min)
    throw new Error(`${name} must be a whole number of at least ${min}, got '${raw}'`);
  return n;
};

/** Outbound HL7 v2: always on (an empty destination list sends nothing and refuses to queue). */
export function hl7OutboundConfig(env: NodeJS.ProcessEnv): Hl7OutboundConfig {
  const ca = (env.HL7_OUTBOUND_TLS_CA_FILES ?? '').split(',').filter(Boolean);
  const cert = env.HL7_OUTBOUND_TLS_CERT_FILE;
  const key = env.HL7_OUTBOUND_TLS_KEY_FILE;
  if (Boolean(cert) !== Boolean(key))
    throw new Error('HL7_OUTBOUND_TLS_CERT_FILE and HL7_OUTBOUND_TLS_KEY_FILE go together');
  const tls = {
    ...(ca.length ? { ca: ca.map((f) => readFileSync(f)) } : {}),
    ...(cert && key ? { cert: readFileSync(cert), key: readFileSync(key) } : {}),
  };
  const processingId = (env.HL7_PROCESSING_ID ?? 'P') as 'P' | 'T' | 'D';
  if (!['P', 'T', 'D'].includes(processingId)) throw new Error('HL7_PROCESSING_ID must be P, T or D');
  return {
    application: env.HL7_OUTBOUND_APPLICATION || 'ZORGPOORT',
    processingId,
    destinations: parseDestinations(env.HL7_DESTINATIONS ?? '', tls),
    retrySeconds: whole(env, 'HL7_OUTBOUND_RETRY_SECONDS', 10),
    retryMaxSeconds: whole(env, 'HL7_OUTBOUND_RETRY_MAX_SECONDS', 600),
    ackTimeoutMs: whole(env, 'HL7_OUTBOUND_ACK_TIMEOUT_SECONDS', 30) * 1000,
    retentionDays: whole(env, 'HL7_MESSAGE_RETENTION_DAYS', 90),
  };
}
