import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { Hl7Sender } from '../../server/hl7v2/listener.ts';
import { MllpFramer } from '../../server/hl7v2/mllp-framer.ts';
import {
  BSN,
  CUSTODIAN,
  ref,
  referBody,
  referralWorld,
  type ReferralWorld,
} from '../support/referral-world.ts';
import { registerBackendClient } from '../support/smart-backend.ts';

type Json = Record<string, any>;

const fixture = (name: string) => readFileSync(new URL(`../fixtures/hl7/${name}`, import.meta.url));
/** A fixture with replacements, in its own encoding (Latin-1 bytes kept as they are). */
const edit = (raw: Buffer, replacements: [string | RegExp, string][]) => {
  let text = raw.toString('latin1');
  for (const [a, b] of replacements) text = text.replace(a, b);
  return Buffer.from(text, 'latin1');
};

/** One MLLP connection: one message, its ACK's MSA-1 and the whole ACK. */
async function send(port: number, message: Buffer): Promise<{ code: string; ack: string }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const framer = new MllpFramer(1 << 20);
  const ack = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no ACK')), 20_000);
    socket.on('data', (d: Buffer) => {
      for (const e of framer.push(d))
        if ('frame' in e) {
          clearTimeout(timer);
          resolve(e.frame.toString('latin1'));
        }
    });
    socket.write(Buffer.concat([Buffer.from([0x0b]), message, Buffer.from([0x1c, 0x0d])]));
  });
  socket.destroy();
  const msa = ack
    .split('\r')
    .find((s) => s.startsWith('MSA'))!
    .split('|');
  return { code: msa[1]!, ack };
}

const holder = (r: Json) => (r.meta?.tag ?? []).find((t: Json) => t.system === CUSTODIAN)?.code;

describe('referrals: the receiving hospital’s HL7 v2 feed after a referral made the GP’s own record of its patient', function () {
  this.timeout(180_000);
  let w: ReferralWorld;
  const senders: Hl7Sender[] = [];
  const bsn = '999999333'; // p-hidden's: held by org-other, which neither the GP nor the hospital sees

  before(async () => {
    w = await referralWorld({ hl7Senders: senders });
    // The hospital's HIS: its interface engine, a trusted client of the hospital (ADT registers
    // patients by BSN), as in hl7-mllp.test.ts.
    const his = await registerBackendClient(w.server, {
      scope: 'system/*.cruds',
      trusted: true,
      organizationId: 'org-zkh',
    });
    senders.push({
      application: 'HIX',
      facility: 'ZKH-OOST',
      clientId: his.clientId,
      addresses: ['127.0.0.1'],
    });
  });
  after(async () => w?.close());

  it('ADT^A01 and ORU^R01 by that BSN: AA, applied to the hospital’s own record, the GP’s untouched', async () => {
    const res = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody([
        { name: 'bsn', valueString: bsn },
        { name: 'family', valueString: 'Verborgen' },
        { name: 'birthDate', valueDate: '1950-05-05' },
      ]),
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const gpRecord = ref(res.body, 'patient');
    const gpBefore = (await w.call(gpRecord, 'gp1')).body;
    expect(holder(gpBefore)).to.equal('org-gp');
    // The hospital sees the GP's record (the open referral relates it).
    expect((await w.call(gpRecord, 'zkh')).status).to.equal(200);

    const port = w.server.hl7Port!;
    const adt = await send(port, edit(fixture('adt-a01-latin1.hl7'), [['999911120', bsn]]));
    expect(adt.code, adt.ack).to.equal('AA');
    const oru = await send(
      port,
      edit(fixture('oru-r01-utf8.hl7'), [
        ['GLIMS|LAB-OOST', 'HIX|ZKH-OOST'],
        ['999911120', bsn],
      ]),
    );
    expect(oru.code, oru.ack).to.equal('AA');
    // A second ADT (an update, A08) finds the hospital's own record among the two it sees.
    const a08 = await send(
      port,
      edit(fixture('adt-a01-latin1.hl7'), [
        ['999911120', bsn],
        [/ADT\^A01\^ADT_A01\|ZKH00001/, 'ADT^A08^ADT_A01|ZKH00002'],
        ['EVN|A01', 'EVN|A08'],
        ['Dorpsstraat 12', 'Kerkstraat 3'],
      ]),
    );
    expect(a08.code, a08.ack).to.equal('AA');

    const all = (await w.call(`Patient?identifier=${BSN}|${bsn}`, 'trusted')).body.entry.map(
      (e: Json) => e.resource,
    );
    // The HIS is trusted: its record carries no custodian tag; the GP's and org-other's do.
    const hospital = all.filter((p: Json) => holder(p) === undefined);
    expect(hospital.length, JSON.stringify(all.map(holder))).to.equal(1);
    const own = hospital[0];
    expect(own.id).not.to.equal(gpRecord.split('/')[1]);
    expect(JSON.stringify(own.address)).to.contain('Kerkstraat');
    // The GP's record: the same version, nothing of the hospital's on it.
    const gpAfter = (await w.call(gpRecord, 'gp1')).body;
    expect(gpAfter.meta.versionId).to.equal(gpBefore.meta.versionId);
    // The results are the hospital's own record's.
    const results = (await w.call(`Observation?subject=Patient/${own.id}`, 'trusted')).body;
    expect(results.total ?? results.entry?.length).to.be.greaterThan(0);
    const onGp = (await w.call(`Observation?subject=${gpRecord}`, 'trusted')).body;
    expect(onGp.entry ?? []).to.have.length(0);
  });

  it('the hospital’s (untrusted) system client: a conditional create by BSN takes the hospital’s record, not the GP’s; two of its own: 412', async () => {
    const body = {
      resourceType: 'Patient',
      identifier: [{ system: BSN, value: bsn }],
      managingOrganization: { reference: 'Organization/org-zkh' },
    };
    // It sees the GP's record (the referral) and the HIS's (the A01's Encounter relates the
    // hospital; no custodian tag: a trusted writer's): the hospital's own is the one.
    const his = (await w.call(`Patient?identifier=${BSN}|${bsn}`, 'trusted')).body.entry
      .map((e: Json) => e.resource)
      .find((p: Json) => holder(p) === undefined);
    const found = await w.call('Patient', 'zkh', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'if-none-exist': `identifier=${BSN}|${bsn}` },
    });
    expect(found.status, JSON.stringify(found.body)).to.equal(200);
    expect(found.body.id).to.equal(his.id);
    // A second record of its own (made by the operator, held by the hospital): now ambiguous.
    const second = await w.call('Patient', 'trusted', {
      method: 'POST',
      body: JSON.stringify({
        resourceType: 'Patient',
        meta: { tag: [{ system: CUSTODIAN, code: 'org-zkh' }] },
        identifier: [{ system: BSN, value: bsn }],
        managingOrganization: { reference: 'Organization/org-zkh' },
      }),
    });
    expect(second.status).to.equal(201);
    const again = await w.call('Patient', 'zkh', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'if-none-exist': `identifier=${BSN}|${bsn}` },
    });
    expect(again.status, JSON.stringify(again.body)).to.equal(412);
  });
});
