import net from 'node:net';
import tls from 'node:tls';
import { buildAck } from '../../mappers/hl7/ack.ts';
import { decodeMessage, Hl7 } from '../../mappers/index.ts';
import { frame, MllpFramer } from '../../server/hl7v2/mllp-framer.ts';

/** How the receiver answers a message: an ACK code, or silence (a hung receiver). */
export type Answer = 'AA' | 'AE' | 'AR' | 'none';

/**
 * A hospital's HL7 v2 receiver in the test process: an MLLP listener on a fixed port (over TLS
 * with `tlsOptions`) that keeps what arrives and answers as told. It can go down and come back
 * on the same port.
 */
export function mllpReceiver(port: number, tlsOptions?: tls.TlsOptions) {
  const received: { text: string; raw: Buffer }[] = [];
  let answer: (m: Hl7) => Answer = () => 'AA';
  let server: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  const waiters: (() => void)[] = [];

  const onConnection = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const framer = new MllpFramer(16 * 1024 * 1024);
    socket.on('data', (chunk: Buffer) => {
      for (const event of framer.push(chunk)) {
        if (!('frame' in event)) continue;
        const text = decodeMessage(event.frame).text;
        const m = Hl7.parse(text);
        received.push({ text, raw: event.frame });
        waiters.splice(0).forEach((w) => w());
        const code = answer(m);
        if (code === 'none') continue;
        const error =
          code === 'AA'
            ? undefined
            : { segment: 'PID', field: 3, code: '207', text: 'Patiënt onbekend in HIS' };
        socket.write(frame(Buffer.from(buildAck(m, code, m.controlId, error), 'utf8')));
      }
    });
  };

  return {
    port,
    received,
    answerWith(f: (m: Hl7) => Answer) {
      answer = f;
    },
    async up(): Promise<void> {
      server = tlsOptions ? tls.createServer(tlsOptions, onConnection) : net.createServer(onConnection);
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, '127.0.0.1', () => resolve());
      });
    },
    async down(): Promise<void> {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
    },
    /** Resolves once `count` messages have arrived in all (or rejects after `ms`). */
    async waitFor(count: number, ms = 20_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`only ${received.length} of ${count} messages arrived`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 200);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
  };
}
