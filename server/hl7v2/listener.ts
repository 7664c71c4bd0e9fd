import net from 'node:net';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { decodeMessage, Hl7, Hl7Error, mapMessage, UnsupportedMessageError } from '../../mappers/index.ts';
import { buildAck, type AckCode, type AckError } from '../../mappers/hl7/ack.ts';
import { encodeMessage, UnsupportedCharsetError } from '../../mappers/hl7/charset.ts';
import type { TransactionBundle } from '../../mappers/bundle.ts';
import type { SystemPrincipal } from '../auth/principal.ts';
import type { Hl7MessageRecord, Hl7Messages } from '../fhir/storage/hl7-messages.ts';
import { frame, MllpFramer } from './mllp-framer.ts';

/** A system allowed to send: its MSH-3 and MSH-4, the addresses it connects from, its client. */
export interface Hl7Sender {
  application: string;
  facility: string;
  /** The registered backend client (`npm run clients`) the messages are applied as. */
  clientId: string;
  /** Source addresses allowed; empty: any. */
  addresses: string[];
}

/** Why a message was not applied, as the sender is told (AE: fix and resend; AR: not for us). */
export class Hl7Refusal extends Error {
  constructor(
    readonly code: AckCode,
    readonly error: AckError,
  ) {
    super(error.text);
  }
}

export interface MllpListenerDeps {
  port: number;
  host?: string;
  maxFrameBytes: number;
  maxConnections: number;
  idleSeconds: number;
  senders: Hl7Sender[];
  tls?: tls.TlsOptions;
  messages: () => Hl7Messages;
  /** The sender as its registered backend client (refused, AR, when it is none or revoked). */
  principalOf: (sender: Hl7Sender) => Promise<SystemPrincipal>;
  /**
   * Applies a message's transaction as the sender and records it as applied, in one database
   * transaction; answers the `Type/id` of what it wrote.
   */
  apply: (
    principal: SystemPrincipal,
    bundle: TransactionBundle,
    record: Omit<Hl7MessageRecord, 'status' | 'resources'>,
  ) => Promise<string[]>;
  logger: Logger;
}

/** `::ffff:127.0.0.1` → `127.0.0.1`. */
const plainAddress = (a: string | undefined) => (a ?? '').replace(/^::ffff:/, '');

/**
 * The MLLP listener: frames in, original-mode ACKs out. Each connection's messages are handled
 * in arrival order (a sender waits for each ACK anyway), and messages about the same patient
 * from several connections one after the other. `AA` goes out only after the message's
 * resources and its log entry are committed; a control id a sender already had applied is
 * acknowledged again, not applied twice.
 */
export type MllpListener = ReturnType<typeof createMllpListener>;

export function createMllpListener(deps: MllpListenerDeps) {
  const { logger } = deps;
  const patientChains = new Map<string, Promise<unknown>>();
  const sockets = new Set<net.Socket>();

  /** Runs `work` after every earlier message about the same patient on this node. */
  function inPatientOrder<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = patientChains.get(key) ?? Promise.resolve();
    const run = before.then(work, work);
    const settled = run.catch(() => undefined);
    patientChains.set(key, settled);
    void settled.then(() => {
      if (patientChains.get(key) === settled) patientChains.delete(key);
    });
    return run;
  }

  async function handle(raw: Buffer, address: string): Promise<{ ack: string; charset?: string }> {
    let m: Hl7 | undefined;
    let charset: string | undefined;
    try {
      const decoded = decodeMessage(raw);
      charset = decoded.charset;
      m = Hl7.parse(decoded.text);
    } catch (err) {
      const text =
        err instanceof UnsupportedCharsetError
          ? err.message
          : `not an HL7 v2 message: ${(err as Error).message}`;
      return {
        ack: buildAck(undefined, 'AR', '', {
          segment: 'MSH',
          field: err instanceof UnsupportedCharsetError ? 18 : 1,
          code: '100',
          text,
        }),
      };
    }
    const message = m;
    const senderKey = `${message.sender.application}^${message.sender.facility}`;
    const sender = deps.senders.find(
      (s) =>
        s.application === message.sender.application &&
        s.facility === message.sender.facility &&
        (s.addresses.length === 0 || s.addresses.includes(address)),
    );
    const controlId = message.controlId;
    const log = deps.messages();
    const base = { direction: 'in' as const, sender: senderKey, controlId, messageType: message.type, raw };
    const refuse = async (code: AckCode, error: AckError) => {
      const ack = buildAck(message, code, controlId, error);
      await log
        .record({ ...base, status: code === 'AR' ? 'rejected' : 'error', ack, error: error.text })
        .catch((err: unknown) => logger.warn({ err }, 'HL7 message log not written'));
      return { ack, charset };
    };
    if (!sender) {
      // Not kept: a stranger's bytes are not ours to store.
      base.raw = Buffer.alloc(0);
      return refuse('AR', {
        segment: 'MSH',
        field: 4,
        code: '207',
        text: `${senderKey} from ${address} is not an allowed sender (HL7_MLLP_SENDERS)`,
      });
    }
    if (!controlId)
      return refuse('AE', {
        segment: 'MSH',
        field: 10,
        code: '101',
        text: 'MSH-10 (message control id) is required',
      });
    try {
      const before = await log.appliedAck(senderKey, controlId);
      if (before !== undefined) return { ack: before || buildAck(message, 'AA', controlId), charset };
      const principal = await deps.principalOf(sender);
      // The Encounter's serviceProvider, a report's performer: the sender's organisation.
      const context = principal.organizationId
        ? { organization: `Organization/${principal.organizationId}` }
        : {};
      const bundle = mapMessage(message, context);
      // The patient the message is about: the identifier its first entry (the Patient) is found by.
      const first = bundle.entry[0]?.request as { url?: string; ifNoneExist?: string } | undefined;
      const key = first?.ifNoneExist ?? first?.url ?? controlId;
      return await inPatientOrder(key, async () => {
        // Checked again in order: the same message may have come in on two connections at once.
        const again = await log.appliedAck(senderKey, controlId);
        if (again !== undefined) return { ack: again || buildAck(message, 'AA', controlId), charset };
        const ack = buildAck(message, 'AA', controlId);
        try {
          await deps.apply(principal, bundle, { ...base, ack });
        } catch (err) {
          // Another node applied it first: its ACK is the answer.
          if (err instanceof Error && err.name === 'AlreadyApplied') {
            return { ack: (await log.appliedAck(senderKey, controlId)) || ack, charset };
          }
          throw err;
        }
        return { ack, charset };
      });
    } catch (err) {
      if (err instanceof Hl7Refusal) return refuse(err.code, err.error);
      if (err instanceof UnsupportedMessageError) {
        return refuse('AR', {
          segment: err.segment,
          field: err.field,
          code: err.field === 12 ? '203' : '200',
          text: err.message,
        });
      }
      if (err instanceof Hl7Error) {
        return refuse('AE', {
          segment: err.segment,
          ...(err.sequence ? { sequence: err.sequence } : {}),
          field: err.field,
          // 101: something required is missing; 102: a value of the wrong type or form.
          code: /required|holds no|at least one/.test(err.message) ? '101' : '102',
          text: err.message,
        });
      }
      // The database or the server failed: nothing is acknowledged as applied; the sender resends.
      logger.error({ err, sender: senderKey, controlId }, 'HL7 message not applied');
      return refuse('AE', { code: '207', text: 'The message could not be stored; send it again' });
    }
  }

  function onConnection(socket: net.Socket): void {
    sockets.add(socket);
    const address = plainAddress(socket.remoteAddress);
    const framer = new MllpFramer(deps.maxFrameBytes);
    let chain: Promise<void> = Promise.resolve();
    const reply = (ack: string, charset?: string) => {
      if (!socket.destroyed)
        socket.write(frame(encodeMessage(ack, charset && charset !== 'ASCII' ? charset : 'UNICODE UTF-8')));
    };
    let queued = 0;
    // A connection that goes quiet is closed: a frame never finished would hold its memory.
    socket.setTimeout(deps.idleSeconds * 1000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      for (const event of framer.push(chunk)) {
        queued++;
        // Backpressure: a sender that outpaces us waits in TCP, not in our memory.
        if (queued > 32) socket.pause();
        chain = chain
          .then(async () => {
            if ('tooLarge' in event) {
              reply(
                buildAck(undefined, 'AR', '', {
                  code: '207',
                  text: `The frame exceeds ${deps.maxFrameBytes} bytes`,
                }),
              );
              return;
            }
            const { ack, charset } = await handle(event.frame, address);
            reply(ack, charset);
            // One line per message: the counts by outcome are a query over the log lines (and the
            // hl7_message table); an AE or AR says why.
            // Not the reason's text: it may quote the message (a birth date, a result).
            const [, code, controlId] = /\rMSA\|([^|\r]*)\|([^|\r]*)/.exec(ack) ?? [];
            const where = /\rERR\|[^|\r]*\|([^|\r]*)/.exec(ack)?.[1];
            logger.info({ address, controlId, ack: code, ...(where ? { at: where } : {}) }, 'HL7 v2 message');
          })
          .catch((err: unknown) => logger.error({ err, address }, 'HL7 v2 message not answered'))
          .finally(() => {
            if (--queued <= 16 && socket.isPaused()) socket.resume();
          });
      }
    });
    socket.on('error', (err) => logger.debug({ err, address }, 'MLLP connection error'));
    socket.on('close', () => sockets.delete(socket));
  }

  let server: net.Server | undefined;
  // Retention of the message log is the outbox sender's upkeep (outbox.ts), for both directions.
  return {
    async start(): Promise<number> {
      server = deps.tls ? tls.createServer(deps.tls, onConnection) : net.createServer(onConnection);
      server.maxConnections = deps.maxConnections;
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(deps.port, deps.host, () => resolve());
      });
      const port = (server.address() as net.AddressInfo).port;
      logger.info(
        { port, tls: Boolean(deps.tls), senders: deps.senders.length },
        'HL7 v2 MLLP listener started',
      );
      return port;
    },
    async stop(): Promise<void> {
      const counts = await deps
        .messages()
        .counts()
        .catch(() => undefined);
      if (counts) logger.info({ counts }, 'HL7 v2 messages by direction and status');
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}

/** TLS for the listener from the configured files (HL7_MLLP_TLS_*); with CA files, senders present a certificate. */
export function mllpTls(files: { certFile: string; keyFile: string; caFiles: string[] }): tls.TlsOptions {
  return {
    cert: readFileSync(files.certFile),
    key: readFileSync(files.keyFile),
    ...(files.caFiles.length
      ? { ca: files.caFiles.map((f) => readFileSync(f)), requestCert: true, rejectUnauthorized: true }
      : {}),
  };
}
