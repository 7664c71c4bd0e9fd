import net from 'node:net';
import { Hl7, mapMessage } from '../../mappers/index.ts';
import { frame, MllpFramer } from '../../server/hl7v2/mllp-framer.ts';

/**
 * The HL7 v2 workload: ORU^R01 messages with 10 results each, for a rotating set of patients,
 * sent over MLLP the way a laboratory system does (one message, wait for its ACK, the next),
 * against the same content POSTed as the FHIR transactions the mappers make of them.
 */
export const HL7_SENDER = { application: 'BENCH', facility: 'LAB' };

/** ORU^R01 number `i`: patient `i % patients`, a new order, 10 numeric results. */
export function oruMessage(i: number, patients: number): string {
  const p = i % patients;
  const obx = Array.from(
    { length: 10 },
    (_, k) =>
      `OBX|${k + 1}|NM|${2823 + k}-3^Result ${k + 1}^LN||${(4 + ((i + k) % 20) / 10).toFixed(1)}|mmol/L^mmol/L^UCUM|3.5-5.0||||F`,
  );
  return [
    `MSH|^~\\&|${HL7_SENDER.application}|${HL7_SENDER.facility}|ZP|ZP|20261207120000||ORU^R01|B${i}|P|2.4|||||NLD|UNICODE UTF-8`,
    `PID|1||BN${p}^^^LAB^PI||Bench^Patient ${p}||19700101|F`,
    `OBR|1|ORD-${i}|F-${i}^LAB|24323-8^Panel^LN|||20261207110000|||||||||||||||||F`,
    ...obx,
  ].join('\r');
}

/** The FHIR transaction the mappers make of message `i` (what a REST client would POST instead). */
export function oruTransaction(i: number, patients: number): string {
  return JSON.stringify(mapMessage(Hl7.parse(oruMessage(i, patients))));
}

/** Sends messages over one MLLP connection, each after the ACK of the one before; counts the AAs. */
export async function sendOverMllp(
  port: number,
  next: () => string | undefined,
): Promise<{ sent: number; failed: number }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const framer = new MllpFramer(1 << 20);
  let waiting: ((ack: string) => void) | undefined;
  socket.on('data', (d: Buffer) => {
    for (const e of framer.push(d)) if ('frame' in e) waiting?.(e.frame.toString('utf8'));
  });
  let sent = 0;
  let failed = 0;
  for (let text = next(); text !== undefined; text = next()) {
    const ack = await new Promise<string>((resolve) => {
      waiting = resolve;
      socket.write(frame(Buffer.from(text, 'utf8')));
    });
    if (/\rMSA\|AA\|/.test(ack)) sent++;
    else failed++;
  }
  socket.destroy();
  return { sent, failed };
}
