import { Hl7Message } from '@medplum/core';
import { Hl7Client } from '@medplum/hl7';
import { readFileSync } from 'node:fs';
import { decodeMessage, Hl7, Hl7Error, mapMessage } from '../../mappers/index.ts';
import { messagesIn } from '../../mappers/hl7/batch.ts';
import { declaredCharset } from '../../mappers/hl7/charset.ts';

/**
 * `npm run --silent hl7 -- convert <file.hl7> [--organization Organization/<id>]`: the FHIR
 *   transaction each message of the file maps to (nothing is written).
 * `npm run --silent hl7 -- send <host:port> <file.hl7>`: sends each message over MLLP and prints
 *   the ACK (a tool for integrators, against this server or any other).
 * A file holds one message or several (a batch: FHS/BHS … BTS/FTS around them).
 */
const ICONV: Record<string, string> = { '8859/1': 'latin1', '8859/15': 'iso-8859-15', ASCII: 'ascii' };

function usage(): never {
  process.stderr.write(
    'usage: npm run --silent hl7 -- convert <file.hl7> [--organization Organization/<id>]\n' +
      '       npm run --silent hl7 -- send <host:port> <file.hl7>\n',
  );
  process.exit(2);
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'convert' && args[0]) {
    const raw = readFileSync(args[0]);
    const org = args.indexOf('--organization');
    const organization = org >= 0 ? args[org + 1] : undefined;
    const messages = messagesIn(decodeMessage(raw).text);
    if (!messages.length) throw new Error(`${args[0]} holds no HL7 message (none begins with MSH)`);
    const bundles = messages.map((m) => mapMessage(Hl7.parse(m), organization ? { organization } : {}));
    process.stdout.write(`${JSON.stringify(bundles.length === 1 ? bundles[0] : bundles, null, 2)}\n`);
  } else if (command === 'send' && args[0] && args[1]) {
    const [host, port] = args[0].split(':');
    const raw = readFileSync(args[1]);
    const encoding = ICONV[declaredCharset(raw)?.toUpperCase() ?? ''] ?? 'utf-8';
    const client = new Hl7Client({ host: host!, port: Number(port), encoding, connectTimeout: 10_000 });
    try {
      for (const text of messagesIn(decodeMessage(raw).text)) {
        // Our own timeout: @medplum/hl7's leaves its timer running after the ACK, holding the process.
        let timer: NodeJS.Timeout | undefined;
        const ack = await Promise.race([
          client.sendAndWait(Hl7Message.parse(text)),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('no ACK within 30 seconds')), 30_000);
          }),
        ]).finally(() => clearTimeout(timer));
        process.stdout.write(`${ack.toString().replaceAll('\r', '\n')}\n`);
      }
    } finally {
      await client.close();
    }
  } else {
    usage();
  }
} catch (err) {
  const where = err instanceof Hl7Error && err.field ? ` (${err.segment}-${err.field})` : '';
  process.stderr.write(`hl7: ${(err as Error).message}${where}\n`);
  process.exit(1);
}
