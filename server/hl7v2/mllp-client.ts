import net from 'node:net';
import tls from 'node:tls';
import { frame, MllpFramer } from './mllp-framer.ts';

/** Where an outbound message goes: host and port, over TLS when `tls` is given. */
export interface MllpEndpoint {
  host: string;
  port: number;
  tls?: tls.ConnectionOptions;
}

/**
 * Sends one message (its bytes as they are, already in their MSH-18 character set) and answers
 * the first frame that comes back: the receiver's ACK. A connection per message: referral
 * traffic is a few messages a minute, and a fresh connection never carries a half-read answer of
 * an earlier message. Fails on refusal, timeout (`timeoutMs` for connect and answer together) or
 * a connection closed without an answer.
 */
export function sendOverMllp(endpoint: MllpEndpoint, message: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const framer = new MllpFramer(1024 * 1024);
    let settled = false;
    const socket: net.Socket = endpoint.tls
      ? tls.connect({ host: endpoint.host, port: endpoint.port, ...endpoint.tls })
      : net.connect({ host: endpoint.host, port: endpoint.port });
    const done = (err: Error | undefined, ack?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(ack!);
    };
    const timer = setTimeout(
      () => done(new Error(`no ACK from ${endpoint.host}:${endpoint.port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once(endpoint.tls ? 'secureConnect' : 'connect', () => socket.write(frame(message)));
    socket.on('data', (chunk: Buffer) => {
      for (const event of framer.push(chunk)) {
        if ('frame' in event) return done(undefined, event.frame);
        return done(new Error('the answer is larger than 1 MB: not an ACK'));
      }
    });
    socket.on('error', (err) => done(err));
    socket.on('close', () =>
      done(new Error(`${endpoint.host}:${endpoint.port} closed the connection without an ACK`)),
    );
  });
}
