import { expect } from 'chai';
import { referralsSeed } from '../../seed/data/referrals/index.ts';
import { callAs, startTestServer, type TestServer } from '../support/harness.ts';
import { restHookReceiver } from '../support/rest-hook-receiver.ts';
import { freePort } from '../support/smtp.ts';
import { backendToken, registerBackendClient } from '../support/smart-backend.ts';
import { personToken } from '../support/smart-flow.ts';

type Json = Record<string, any>;

const GP = 'Practitioner/ref-huisarts-de-vries';
const PATIENT = 'Patient/ref-patient-gerrit-jansen';
const HOSPITAL = 'ref-ziekenhuis-oost';
const OFFERING = 'ref-zo-pob';

/** An answer part for a Questionnaire item: the first option, yes, a date, or words. */
function answerFor(item: Json): Json | undefined {
  const value =
    item.type === 'boolean'
      ? { valueBoolean: true }
      : item.type === 'date'
        ? { valueDate: '2026-11-20' }
        : item.type === 'choice'
          ? Object.fromEntries(Object.entries(item.answerOption[0]).filter(([k]) => k.startsWith('value')))
          : { valueString: 'Sinds enkele weken' };
  return {
    name: 'answer',
    part: [
      { name: 'linkId', valueString: item.linkId },
      { name: 'value', ...value },
    ],
  };
}

/**
 * Seed 003 from end to end on its demo: the GP finds care for their patient in the catalogue,
 * answers the offering's questions and refers; the hospital's FHIR system is told through its
 * Subscription, reads what the referral shares, receives and accepts it; the GP sees the status.
 */
describe('referrals from end to end: catalogue → referral → the provider told → status back (seed 003 demo)', function () {
  this.timeout(300_000);
  let server: TestServer;
  let hook: ReturnType<typeof restHookReceiver>;
  const tokens: Record<string, string> = {};
  const call = callAs(() => server, tokens);

  before(async () => {
    hook = restHookReceiver(await freePort());
    await hook.up();
    server = await startTestServer(
      {},
      {
        config: {
          smart: { devLogin: true, cookieKeys: [] },
          subscriptions: { allowPrivate: true, retryLimit: 3, retryDelaySeconds: 1, timeoutMs: 2000 },
        },
      },
    );
    // The demo as `npm run seed -- referrals` loads it (PUT at fixed ids, as the trusted loader).
    for (const { resources } of referralsSeed()) {
      for (const r of resources) {
        const res = await server.fetch(`${r.resourceType}/${r.id}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/fhir+json' },
          body: JSON.stringify(r),
        });
        expect(res.status, `${r.resourceType}/${r.id}`).to.be.oneOf([200, 201]);
      }
    }
    tokens.gp = await personToken(server, GP);
    const scope = 'system/*.cruds';
    const his = await registerBackendClient(server, { scope, organizationId: HOSPITAL });
    tokens.hospital = `Bearer ${await backendToken(server, his, scope)}`;
  });
  after(async () => {
    await server?.close();
    await hook?.down();
  });

  it('the GP refers through the catalogue; the hospital is told, reads it, accepts; the GP sees it accepted', async () => {
    // The hospital's system subscribes to the referrals it owns.
    const subscribed = await call('Subscription', 'hospital', {
      method: 'POST',
      body: JSON.stringify({
        resourceType: 'Subscription',
        status: 'requested',
        reason: 'Verwijzingen voor Ziekenhuis Oost',
        criteria: `Task?owner=Organization/${HOSPITAL}`,
        channel: {
          type: 'rest-hook',
          endpoint: hook.url('/verwijzingen'),
          payload: 'application/fhir+json',
        },
      }),
    });
    expect(subscribed.status, JSON.stringify(subscribed.body)).to.equal(201);

    // Care for the patient's question: the pain-in-the-chest clinic is among the offerings.
    const found = await call(
      `HealthcareService/$catalogue?care-question=cardiologie.pijn-op-de-borst&patient=${PATIENT}`,
      'gp',
    );
    expect(found.status).to.equal(200);
    const offering = found.body.entry.find((e: Json) => e.resource.id === OFFERING)?.resource;
    expect(offering, 'the offering is in the catalogue').to.not.equal(undefined);
    const questionnaire = found.body.entry.find(
      (e: Json) => e.search.mode === 'include' && e.resource.resourceType === 'Questionnaire',
    )?.resource;
    expect(questionnaire.item.some((i: Json) => i.required)).to.equal(true);

    const referred = await call(`HealthcareService/${OFFERING}/$refer`, 'gp', {
      method: 'POST',
      body: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [
          { name: 'patient', valueReference: { reference: PATIENT } },
          { name: 'email', valueString: 'g.jansen@example.nl' },
          { name: 'mobile', valueString: '0612345678' },
          ...questionnaire.item.filter((i: Json) => i.required).map(answerFor),
          {
            name: 'letter',
            part: [
              { name: 'reason', valueString: 'Drukkende pijn op de borst bij traplopen' },
              { name: 'question', valueString: 'Graag analyse en beleid' },
            ],
          },
          {
            name: 'attachment',
            valueAttachment: {
              contentType: 'text/plain',
              title: 'ecg-verslag.txt',
              data: Buffer.from('Rust-ECG: sinusritme, geen afwijkingen').toString('base64'),
            },
          },
        ],
      }),
    });
    expect(referred.status, JSON.stringify(referred.body)).to.equal(201);
    const refOf = (name: string) =>
      referred.body.parameter.find((p: Json) => p.name === name)?.valueReference?.reference as string;
    const task = refOf('task');
    const serviceRequest = refOf('serviceRequest');

    // The hospital's system is told of the new Task, with the Task itself.
    const [note] = await hook.at('/verwijzingen');
    expect(JSON.parse(note!.body)).to.deep.include({ resourceType: 'Task', id: task.split('/')[1] });

    // It reads what the referral shares: the request, the letter (a PDF) and the attachment.
    expect((await call(serviceRequest, 'hospital')).status).to.equal(200);
    const documents = await call(`DocumentReference?related=${serviceRequest}`, 'hospital');
    const types = documents.body.entry.map((e: Json) => e.resource.content[0].attachment.contentType);
    expect(types).to.include.members(['application/pdf', 'text/plain']);

    // Received, then accepted: each move by the receiving side.
    for (const status of ['received', 'accepted']) {
      const moved = await call(`${task}/$referral-status`, 'hospital', {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'Parameters',
          parameter: [{ name: 'status', valueCode: status }],
        }),
      });
      expect(moved.status, JSON.stringify(moved.body)).to.equal(200);
    }
    // The GP follows the status on their referral.
    expect((await call(task, 'gp')).body.status).to.equal('accepted');
    // And the hospital's subscription was told of each change (a notification carries the Task
    // as it is when it is delivered, so the last one shows it accepted).
    await hook.at('/verwijzingen', 3);
    const shown = () =>
      hook.received.filter((r) => r.path === '/verwijzingen').map((r) => JSON.parse(r.body).status);
    for (let i = 0; i < 100 && !shown().includes('accepted'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(shown()).to.include('accepted');
  });
});
