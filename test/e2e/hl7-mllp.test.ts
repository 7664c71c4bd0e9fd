import { expect } from 'chai';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { loadConfig } from '../../server/config.ts';
import { hl7Config } from '../../server/hl7v2/config.ts';
import type { Hl7Sender } from '../../server/hl7v2/listener.ts';
import { frame, MllpFramer } from '../../server/hl7v2/mllp-framer.ts';
import { startTestServer, type TestServer } from '../support/harness.ts';
import { registerBackendClient } from '../support/smart-backend.ts';

type Json = Record<string, any>;
const run = promisify(execFile);
const ADT = readFileSync(new URL('../fixtures/hl7/adt-a01-latin1.hl7', import.meta.url));
const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
const ORU = readFileSync(new URL('../fixtures/hl7/oru-r01-utf8.hl7', import.meta.url));
const MDM = readFileSync(new URL('../fixtures/hl7/mdm-t02-latin1.hl7', import.meta.url));
const SIU = readFileSync(new URL('../fixtures/hl7/siu-s12-latin1.hl7', import.meta.url));
const ORM = readFileSync(new URL('../fixtures/hl7/orm-o01-latin1.hl7', import.meta.url));
/** A fixture with replacements, as ISO-8859-1 bytes. */
const edit = (raw: Buffer, replacements: [string, string][]) => {
  let text = raw.toString('latin1');
  for (const [a, b] of replacements) text = text.replace(a, b);
  return Buffer.from(text, 'latin1');
};

/** The fixture with another control id (and anything else replaced), still ISO-8859-1 bytes. */
const variant = (replacements: [string, string][]) => {
  let text = ADT.toString('latin1');
  for (const [a, b] of replacements) text = text.replace(a, b);
  return Buffer.from(text, 'latin1');
};

/** One connection: write the chunks as given, read `count` ACK frames (decoded as UTF-8 or Latin-1). */
async function exchange(
  port: number,
  chunks: Buffer[],
  count: number,
  timeoutMs = 20_000,
): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const framer = new MllpFramer(1 << 20);
  const acks: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${acks.length} of ${count} ACKs`)), timeoutMs);
    socket.on('data', (d: Buffer) => {
      for (const e of framer.push(d)) if ('frame' in e) acks.push(e.frame.toString('latin1'));
      if (acks.length >= count) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  for (const c of chunks) {
    socket.write(c);
    await new Promise((r) => setImmediate(r));
  }
  await done;
  socket.destroy();
  return acks;
}

const msa = (ack: string) =>
  ack
    .split('\r')
    .find((s) => s.startsWith('MSA'))!
    .split('|');
const err = (ack: string) => ack.split('\r').find((s) => s.startsWith('ERR'));

describe('HL7 v2 over MLLP: the listener (real TCP)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let port: number;
  const senders: Hl7Sender[] = [];

  before(async () => {
    server = await startTestServer(
      {},
      {
        config: {
          hl7: {
            port: 0,
            host: '127.0.0.1',
            maxFrameBytes: 64 * 1024,
            maxConnections: 16,
            idleSeconds: 60,
            senders,
          },
          hl7Outbound: { ...loadConfig({}).hl7Outbound, retentionDays: 30 },
        },
      },
    );
    port = server.hl7Port!;
    // The hospital's interface engine: a trusted backend client, as ADT names patients by BSN.
    const his = await registerBackendClient(server, {
      scope: 'system/*.cruds',
      trusted: true,
      organizationId: 'zkh-oost',
    });
    senders.push({
      application: 'HIX',
      facility: 'ZKH-OOST',
      clientId: his.clientId,
      addresses: ['127.0.0.1'],
    });
    // The laboratory's system, sending results.
    const lab = await registerBackendClient(server, {
      scope: 'system/*.cruds',
      trusted: true,
      organizationId: 'lab-oost',
    });
    senders.push({
      application: 'GLIMS',
      facility: 'LAB-OOST',
      clientId: lab.clientId,
      addresses: ['127.0.0.1'],
    });
  });
  after(() => server?.close());

  const patients = async () =>
    (
      (await (
        await server.fetch(`Patient?identifier=${encodeURIComponent(`${BSN}|999911120`)}`)
      ).json()) as Json
    ).entry ?? [];

  it('applies an ADT^A01 (ISO-8859-1) and answers AA once it is stored', async () => {
    const [ack] = await exchange(port, [frame(ADT)], 1);
    expect(msa(ack!).slice(0, 3)).to.deep.equal(['MSA', 'AA', 'ZKH00001']);
    const found = await patients();
    expect(found).to.have.length(1);
    expect(found[0].resource.name[0].given[0]).to.equal('Renée');
    const encounters = (await (
      await server.fetch(`Encounter?subject=Patient/${found[0].resource.id}`)
    ).json()) as Json;
    expect(encounters.entry[0].resource.serviceProvider.reference).to.equal('Organization/zkh-oost');
  });

  it('a control id already applied is acknowledged again, not applied twice', async () => {
    const version = (await patients())[0].resource.meta.versionId;
    const [ack] = await exchange(port, [frame(ADT)], 1);
    expect(msa(ack!)[1]).to.equal('AA');
    expect((await patients())[0].resource.meta.versionId).to.equal(version);
    const rows = await server.app.db.knex('hl7_message').where({ control_id: 'ZKH00001', status: 'applied' });
    expect(rows).to.have.length(1);
  });

  it('takes frames in pieces and several in one packet, answering each in order', async () => {
    const a = frame(variant([['ZKH00001', 'ZKH00002']]));
    const b = frame(
      variant([
        ['ZKH00001', 'ZKH00003'],
        ['ADT^A01^ADT_A01', 'ADT^A08'],
        ['EVN|A01', 'EVN|A08'],
      ]),
    );
    const pieces: Buffer[] = [];
    for (let i = 0; i < a.length; i += 7) pieces.push(a.subarray(i, i + 7));
    const acks = await exchange(
      port,
      [...pieces, Buffer.concat([b, frame(variant([['ZKH00001', 'ZKH00004']]))])],
      3,
    );
    expect(acks.map((x) => msa(x).slice(1, 3))).to.deep.equal([
      ['AA', 'ZKH00002'],
      ['AA', 'ZKH00003'],
      ['AA', 'ZKH00004'],
    ]);
    expect(await patients()).to.have.length(1);
  });

  it('a garbage frame and an oversize frame get AR, and the connection carries on', async () => {
    const big = frame(Buffer.alloc(70 * 1024, 0x41));
    const next = frame(variant([['ZKH00001', 'ZKH00005']]));
    const acks = await exchange(port, [frame(Buffer.from('hello, is this HL7?')), big, next], 3);
    expect(msa(acks[0]!)[1]).to.equal('AR');
    expect(msa(acks[1]!)[1]).to.equal('AR');
    expect(err(acks[1]!)).to.contain('exceeds');
    expect(msa(acks[2]!).slice(1, 3)).to.deep.equal(['AA', 'ZKH00005']);
  });

  it('refuses what it may not or cannot take: AR for a stranger or an unsupported type, AE naming the field', async () => {
    const [stranger] = await exchange(
      port,
      [
        frame(
          variant([
            ['ZKH00001', 'X1'],
            ['HIX|ZKH-OOST', 'HIX|ELDERS'],
          ]),
        ),
      ],
      1,
    );
    expect(msa(stranger!)[1]).to.equal('AR');
    const [oru] = await exchange(
      port,
      [
        frame(
          variant([
            ['ZKH00001', 'X2'],
            ['ADT^A01^ADT_A01', 'RDE^O11'],
          ]),
        ),
      ],
      1,
    );
    expect(msa(oru!)[1]).to.equal('AR');
    expect(err(oru!)).to.match(/^ERR\|MSH\^1\^9/);
    const noPid = Buffer.from(
      ADT.toString('latin1')
        .replace('ZKH00001', 'X3')
        .replace(/PID\|[^\r]*\r/, ''),
      'latin1',
    );
    const [ae] = await exchange(port, [frame(noPid)], 1);
    expect(msa(ae!).slice(1, 3)).to.deep.equal(['AE', 'X3']);
    expect(err(ae!)).to.match(/^ERR\|PID\^1\^/);
    const logged = await server.app.db
      .knex('hl7_message')
      .whereIn('control_id', ['X1', 'X2', 'X3'])
      .orderBy('id');
    expect(logged.map((r: Json) => r.status)).to.deep.equal(['rejected', 'rejected', 'error']);
  });

  it("python3-hl7 reads our ACK: the code, the control id and the error's location", async () => {
    const [ae] = await exchange(
      port,
      [
        frame(
          variant([
            ['ZKH00001', 'X4'],
            ['|7654321^^^ZKH-OOST^PI~999911120^^^NLMINBIZA^NNNLD|', '||'],
          ]),
        ),
      ],
      1,
    );
    const read = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        "import hl7,sys; m=hl7.parse(sys.stdin.read()); print(m['MSA.F1'], m['MSA.F2'], m['ERR.F2.R1.C1'], m['ERR.F2.R1.C3'])",
      ],
      { input: ae! },
    );
    expect(read.stderr.toString()).to.equal('');
    expect(read.stdout.toString().trim()).to.equal('AE X4 PID 3');
  });

  it('storage failing during a message: no AA, nothing applied; the resend is applied once', async () => {
    const knex = server.app.db.knex;
    const message = frame(
      variant([
        ['ZKH00001', 'DB1'],
        ['999911120', '999911132'],
        ['7654321^^^ZKH-OOST^PI', '7654399^^^ZKH-OOST^PI'],
      ]),
    );
    const count = async () =>
      (
        (await (
          await server.fetch(`Patient?identifier=${encodeURIComponent(`${BSN}|999911132`)}&_summary=count`)
        ).json()) as Json
      ).total;
    await knex.raw(`create or replace function zz_refuse_write() returns trigger language plpgsql as $$
      begin raise exception 'storage unavailable (test)'; end $$`);
    await knex.raw(
      'create trigger zz_refuse_write before insert on resource for each row execute function zz_refuse_write()',
    );
    let first: string;
    try {
      [first] = (await exchange(port, [message], 1)) as [string];
    } finally {
      await knex.raw('drop trigger zz_refuse_write on resource');
      await knex.raw('drop function zz_refuse_write()');
    }
    expect(msa(first).slice(1, 3)).to.deep.equal(['AE', 'DB1']);
    expect(await count()).to.equal(0);
    const [again] = await exchange(port, [message], 1);
    expect(msa(again!).slice(1, 3)).to.deep.equal(['AA', 'DB1']);
    const [third] = await exchange(port, [message], 1);
    expect(msa(third!)[1]).to.equal('AA');
    expect(await count()).to.equal(1);
    expect(await knex('hl7_message').where({ control_id: 'DB1', status: 'applied' })).to.have.length(1);
  });

  it("1,000 messages over 4 connections: none lost, each patient's in the order sent", async function () {
    this.timeout(300_000);
    const PATIENTS = 40;
    const EACH = 25;
    const base = ADT.toString('latin1');
    const message = (p: number, n: number) =>
      Buffer.from(
        base
          .replace('ZKH00001', `LOAD-${p}-${n}`)
          .replace('ADT^A01^ADT_A01', n === 0 ? 'ADT^A01^ADT_A01' : 'ADT^A08')
          .replace('EVN|A01', n === 0 ? 'EVN|A01' : 'EVN|A08')
          .replace('7654321^^^ZKH-OOST^PI~999911120^^^NLMINBIZA^NNNLD', `HN${p}^^^ZKH-OOST^PI`)
          .replace('V2026-0001', `V-${p}`)
          .replace('030-1234567', `030-${String(n).padStart(7, '0')}`),
        'latin1',
      );
    const connections = [0, 1, 2, 3].map((c) => {
      const frames: Buffer[] = [];
      for (let n = 0; n < EACH; n++) {
        for (let p = c; p < PATIENTS; p += 4) frames.push(frame(message(p, n)));
      }
      return exchange(port, [Buffer.concat(frames)], frames.length, 240_000);
    });
    const acks = (await Promise.all(connections)).flat();
    expect(acks).to.have.length(PATIENTS * EACH);
    expect(acks.filter((a) => msa(a)[1] !== 'AA').map((a) => err(a))).to.deep.equal([]);
    const applied = await server.app.db
      .knex('hl7_message')
      .where('control_id', 'like', 'LOAD-%')
      .andWhere({ status: 'applied' });
    expect(applied).to.have.length(PATIENTS * EACH);
    const system = 'https://zorgpoort.nl/fhir/NamingSystem/patient-number/ZKH-OOST';
    for (const p of [0, 13, 39]) {
      const found = (
        (await (
          await server.fetch(`Patient?identifier=${encodeURIComponent(`${system}|HN${p}`)}`)
        ).json()) as Json
      ).entry;
      expect(found, `HN${p}`).to.have.length(1);
      const phone = found[0].resource.telecom.find((t: Json) => t.use === 'home' && t.system === 'phone');
      expect(phone.value, `HN${p}: the last message sent is the last applied`).to.equal(
        `030-${String(EACH - 1).padStart(7, '0')}`,
      );
    }
  });

  it('npm run hl7: convert prints the transaction a message maps to; send delivers it and prints the ACK', async () => {
    const file = new URL('../fixtures/hl7/adt-a01-latin1.hl7', import.meta.url).pathname;
    const cli = (...args: string[]) =>
      run('npx', ['tsx', 'server/cli/hl7.ts', ...args], {
        cwd: process.cwd(),
        env: { ...process.env, LOG_LEVEL: 'silent' },
      });
    const converted = await cli('convert', file, '--organization', 'Organization/zkh-oost');
    const golden = JSON.parse(
      readFileSync(new URL('../fixtures/hl7/adt-a01-latin1.json', import.meta.url), 'utf8'),
    );
    expect(JSON.parse(converted.stdout)).to.deep.equal(golden);
    const sent = await cli('send', `127.0.0.1:${port}`, file);
    expect(sent.stdout).to.match(/^MSA\|AA\|ZKH00001/m);
    const refused = await cli('convert', '/dev/null').catch((e: { code: number; stderr: string }) => e);
    expect(refused).to.include({ code: 1 });
    expect((refused as { stderr: string }).stderr).to.contain('holds no HL7 message');
  });

  it('an ORU^R01 (UTF-8) files the report and its results for the known patient; a correction makes a new version, decimals as written', async () => {
    const [ack] = await exchange(port, [frame(ORU)], 1);
    expect(msa(ack!).slice(1, 3), ack).to.deep.equal(['AA', 'LAB00001']);
    expect(await patients(), 'the patient of the ADT, not a second one').to.have.length(1);
    const patient = (await patients())[0].resource.id;
    const potassium = async () =>
      (
        (await (
          await server.fetch(`Observation?subject=Patient/${patient}&code=http://loinc.org|2823-3`)
        ).json()) as Json
      ).entry;
    const [first] = await potassium();
    expect(first.resource.valueQuantity.value).to.equal(5.6);
    const reports = (await (
      await server.fetch(`DiagnosticReport?subject=Patient/${patient}`)
    ).json()) as Json;
    expect(reports.entry[0].resource.presentedForm[0].contentType).to.equal('application/pdf');
    expect(reports.entry[0].resource.performer[0].reference).to.equal('Organization/lab-oost');
    const correction = Buffer.from(
      ORU.toString('utf8')
        .replace('LAB00001', 'LAB00002')
        .replace('|5.6|mmol/L', '|5.0|mmol/L')
        .replace('|3.5-5.0|', '|3.50-5.00|')
        .replace(/(OBX\|1\|NM\|[^\r]*\|)F(\|[^\r]*)/, '$1C$2'),
      'utf8',
    );
    const [ack2] = await exchange(port, [frame(correction)], 1);
    expect(msa(ack2!)[1]).to.equal('AA');
    const after = await potassium();
    expect(after).to.have.length(1);
    expect(after[0].resource.id).to.equal(first.resource.id);
    expect(after[0].resource.status).to.equal('corrected');
    // Lab values keep the precision they were written with, in OBX-5 and OBX-7.
    const stored = await (await server.fetch(`Observation/${first.resource.id}`)).text();
    expect(stored).to.contain('"valueQuantity":{"value":5.0,');
    expect(stored).to.match(/"low":\{"value":3\.50,.*"high":\{"value":5\.00,/);
    expect(Number(after[0].resource.meta.versionId)).to.equal(Number(first.resource.meta.versionId) + 1);
  });

  it('a patient first sent with the hospital number only is the same patient once the BSN comes', async () => {
    const pid = '7654321^^^ZKH-OOST^PI~999911120^^^NLMINBIZA^NNNLD';
    const first = variant([
      ['ZKH00001', 'LATE1'],
      [pid, '5550001^^^ZKH-OOST^PI'],
      ['V2026-0001', 'V-LATE'],
    ]);
    const later = variant([
      ['ZKH00001', 'LATE2'],
      [pid, '5550001^^^ZKH-OOST^PI~999911247^^^NLMINBIZA^NNNLD'],
      ['ADT^A01^ADT_A01', 'ADT^A08'],
      ['EVN|A01', 'EVN|A08'],
      ['V2026-0001', 'V-LATE'],
    ]);
    const acks = await exchange(port, [frame(first), frame(later)], 2);
    expect(acks.map((a) => msa(a)[1])).to.deep.equal(['AA', 'AA']);
    const byNumber = (await (
      await server.fetch(
        `Patient?identifier=${encodeURIComponent('https://zorgpoort.nl/fhir/NamingSystem/patient-number/ZKH-OOST|5550001')}`,
      )
    ).json()) as Json;
    expect(byNumber.entry).to.have.length(1);
    expect(byNumber.entry[0].resource.identifier.map((i: Json) => i.value)).to.include.members([
      '5550001',
      '999911247',
    ]);
  });

  it('the configuration refuses a sender known by MSH-3^4 alone (no address, no client certificates)', () => {
    expect(() => hl7Config({ HL7_MLLP_PORT: '2575', HL7_MLLP_SENDERS: 'HIX^ZKH=his' }, '127.0.0.1')).to.throw(
      /names no address/,
    );
    expect(
      hl7Config({ HL7_MLLP_PORT: '2575', HL7_MLLP_SENDERS: 'HIX^ZKH=his@10.0.0.5' }, '127.0.0.1')!.senders,
    ).to.deep.equal([{ application: 'HIX', facility: 'ZKH', clientId: 'his', addresses: ['10.0.0.5'] }]);
    expect(() => hl7Config({ HL7_MLLP_PORT: '2575', HL7_MLLP_SENDERS: 'garbage' }, '127.0.0.1')).to.throw(
      /APP\^FACILITY/,
    );
  });

  it('a document (MDM^T02) is filed with its PDF, and a cancel (T11) marks it entered-in-error', async () => {
    const [ack] = await exchange(port, [frame(MDM)], 1);
    expect(msa(ack!).slice(1, 3), ack).to.deep.equal(['AA', 'MDM00001']);
    const find = async () =>
      (
        (await (
          await server.fetch(
            `DocumentReference?identifier=${encodeURIComponent('https://zorgpoort.nl/fhir/NamingSystem/document-number/ZKH-OOST|DOC-2026-0815')}`,
          )
        ).json()) as Json
      ).entry;
    const [doc] = await find();
    expect(doc.resource.status).to.equal('current');
    expect(doc.resource.content[0].attachment.contentType).to.equal('application/pdf');
    const cancel = edit(MDM, [
      ['MDM00001', 'MDM00002'],
      ['MDM^T02^MDM_T02', 'MDM^T11'],
      ['EVN|T02', 'EVN|T11'],
    ]);
    const [ack2] = await exchange(port, [frame(cancel)], 1);
    expect(msa(ack2!)[1], ack2).to.equal('AA');
    const after = await find();
    expect(after).to.have.length(1);
    expect(after[0].resource.status).to.equal('entered-in-error');
    expect(after[0].resource.content[0].attachment.contentType, 'the content stays').to.equal(
      'application/pdf',
    );
  });

  it('an appointment (SIU^S12) is booked, and a cancel (S15) cancels the same one', async () => {
    const [ack] = await exchange(port, [frame(SIU)], 1);
    expect(msa(ack!)[1], ack).to.equal('AA');
    const cancel = edit(SIU, [
      ['SIU00001', 'SIU00002'],
      ['SIU^S12^SIU_S12', 'SIU^S15'],
    ]);
    const [ack2] = await exchange(port, [frame(cancel)], 1);
    expect(msa(ack2!)[1], ack2).to.equal('AA');
    const found = (
      (await (
        await server.fetch(
          `Appointment?identifier=${encodeURIComponent('https://zorgpoort.nl/fhir/NamingSystem/appointment-id/ZKH-OOST|AFS-2026-3311')}`,
        )
      ).json()) as Json
    ).entry;
    expect(found).to.have.length(1);
    expect(found[0].resource.status).to.equal('cancelled');
  });

  it('an order (ORM^O01) becomes a ServiceRequest, and a cancel (CA) revokes it', async () => {
    const acks = await exchange(
      port,
      [
        frame(ORM),
        frame(
          edit(ORM, [
            ['ORM00001', 'ORM00002'],
            ['ORC|NW|', 'ORC|CA|'],
          ]),
        ),
      ],
      2,
    );
    expect(
      acks.map((a) => msa(a)[1]),
      acks.join('\n'),
    ).to.deep.equal(['AA', 'AA']);
    const found = (
      (await (
        await server.fetch(
          `ServiceRequest?identifier=${encodeURIComponent('https://zorgpoort.nl/fhir/NamingSystem/order-number/ZKH-OOST|ORD-5001')}`,
        )
      ).json()) as Json
    ).entry;
    expect(found).to.have.length(1);
    expect(found[0].resource.status).to.equal('revoked');
  });

  it('the message log keeps messages for the retention period, then deletes them', async () => {
    const knex = server.app.db.knex;
    await knex('hl7_message').insert({
      direction: 'in',
      sender: 'HIX^ZKH-OOST',
      control_id: 'OLD1',
      message_type: 'ADT^A01',
      status: 'applied',
      raw: Buffer.from('MSH|^~\\&|old'),
      received_at: knex.raw(`now() - interval '40 days'`),
    });
    const before = Number((await knex('hl7_message').count<{ count: string }[]>('* as count'))[0]!.count);
    await server.app.hl7Outbox.upkeep();
    expect(await knex('hl7_message').where({ control_id: 'OLD1' })).to.have.length(0);
    const after = Number((await knex('hl7_message').count<{ count: string }[]>('* as count'))[0]!.count);
    expect(after, 'the recent ones stay').to.equal(before - 1);
  });

  it('a sender whose client was revoked is refused (AR) from its next message on', async () => {
    const gone = await registerBackendClient(server, { scope: 'system/*.cruds', trusted: true });
    senders.push({
      application: 'OLDHIS',
      facility: 'ZKH-OOST',
      clientId: gone.clientId,
      addresses: ['127.0.0.1'],
    });
    const message = (id: string) =>
      frame(
        variant([
          ['ZKH00001', id],
          ['HIX|ZKH-OOST', 'OLDHIS|ZKH-OOST'],
        ]),
      );
    const [before] = await exchange(port, [message('REV1')], 1);
    expect(msa(before!)[1], before).to.equal('AA');
    await server.app.smart.clients.revoke(gone.clientId);
    const [after] = await exchange(port, [message('REV2')], 1);
    expect(msa(after!)[1]).to.equal('AR');
    expect(err(after!)).to.contain('not an active backend client');
  });
});
