import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { callAs, putResources, startTestServer, type TestServer } from '../support/harness.ts';
import { personToken } from '../support/smart-flow.ts';

type Json = Record<string, any>;

const NOW = new Date('2026-11-23T09:30:00Z');
const URA = 'http://fhir.nl/fhir/NamingSystem/ura';
const PATIENT_NUMBER = 'urn:oid:2.16.840.1.113883.2.4.3.11.999.130.1.135';
const TASK_CODE =
  'http://hl7.org/fhir/uv/patient-corrections/CodeSystem/PatientCorrectionTaskTypes|medRecCxReq';
const ASSISTANT = { system: 'https://zorgpoort.nl/fhir/CodeSystem/practice-role', code: 'assistant' };

const JAN = {
  identifier: [
    { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '999911120' },
    { system: PATIENT_NUMBER, value: '1285290' },
  ],
  name: [{ text: 'Jan XXX_Helleman', family: 'XXX_Helleman', given: ['Jan'] }],
  birthDate: '1964-07-25',
  generalPractitioner: [{ reference: 'Organization/praktijk-zon' }],
};

/**
 * The request as a MedMij health app builds it (the shape of Nictiz's PatientCorrections
 * fixture): a correction Communication, the patient with a masked BSN and the practice's patient
 * number, and the practice by its URA, every one a POST with a urn:uuid fullUrl.
 */
function correctionBundle(opts: { patient?: Json; ura?: string; topic?: string; extra?: Json[] } = {}): Json {
  const patient = `urn:uuid:${randomUUID()}`;
  const practice = `urn:uuid:${randomUUID()}`;
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: `urn:uuid:${randomUUID()}`,
        resource: {
          resourceType: 'Communication',
          meta: {
            profile: ['http://nictiz.nl/fhir/StructureDefinition/dwv-PatientCorrectionsCommunication'],
          },
          status: 'completed',
          category: [
            {
              coding: [
                {
                  system:
                    'https://hl7.org/fhir/uv/fhir-patient-correction/CodeSystem/PatientCorrectionCommunicationTypes',
                  code: 'medRecCxReq',
                  display: 'Correction request by the Patient or RelatedPerson',
                },
              ],
            },
          ],
          subject: { reference: patient, type: 'Patient', display: 'Jan XXX_Helleman' },
          topic: { text: opts.topic ?? 'Telefoonnummer wijzigen' },
          sent: '2026-11-23T07:35:00Z',
          recipient: [{ reference: practice, type: 'Organization', display: 'Huisartsenpraktijk De Zon' }],
          sender: { reference: patient, type: 'Patient', display: 'Jan XXX_Helleman' },
          payload: [{ contentString: 'Mijn telefoonnummer klopt niet. Het is 06-12345678.' }],
        },
        request: { method: 'POST', url: 'Communication' },
      },
      {
        fullUrl: patient,
        resource: opts.patient ?? {
          resourceType: 'Patient',
          identifier: [
            {
              system: 'http://fhir.nl/fhir/NamingSystem/bsn',
              _value: {
                extension: [
                  { url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'masked' },
                ],
              },
            },
            { system: PATIENT_NUMBER, value: '1285290' },
          ],
          name: [{ text: 'Jan XXX_Helleman', family: 'XXX_Helleman', given: ['Jan'] }],
          birthDate: '1964-07-25',
        },
        request: { method: 'POST', url: 'Patient' },
      },
      {
        fullUrl: practice,
        resource: {
          resourceType: 'Organization',
          identifier: [{ system: URA, value: opts.ura ?? '90000001' }],
          name: 'Huisartsenpraktijk De Zon',
        },
        request: { method: 'POST', url: 'Organization' },
      },
      ...(opts.extra ?? []),
    ],
  };
}

const ofType = (bundle: Json, type: string) =>
  (bundle.entry ?? []).filter((e: Json) => e.resource?.resourceType === type);
const idOf = (location: string) => location.split('/_history/')[0]!.split('/').slice(-2).join('/');

/**
 * Seed 004 / issue 18 item 8: a patient's health app sends a correction request for their record
 * (MedMij PatientCorrections 1.0) with a real patient login; the practice handles it through its
 * Task; the patient reads the status. Another practice's staff see nothing.
 */
describe('correction requests from a health app (MedMij PatientCorrections 1.0)', function () {
  this.timeout(120_000);
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const call = callAs(() => server, tokens);
  const send = (bundle: Json, who = 'patient', headers: Record<string, string> = {}) =>
    call('', who, {
      method: 'POST',
      body: JSON.stringify(bundle),
      headers: { prefer: 'return=representation', ...headers },
    });
  const status = (taskId: string, who: string, parameter: Json[], headers: Record<string, string> = {}) =>
    call(`Task/${taskId}/$correction-status`, who, {
      method: 'POST',
      body: JSON.stringify({ resourceType: 'Parameters', parameter }),
      headers,
    });
  const countOf = async (query: string) =>
    (await call(`${query}&_summary=count`, server.authorization!)).body.total;

  before(async () => {
    server = await startTestServer(
      {},
      { config: { smart: { devLogin: true, cookieKeys: [] } }, clock: () => NOW },
    );
    const role = (org: string, practitioner: string, code: Json) => ({
      active: true,
      practitioner: { reference: `Practitioner/${practitioner}` },
      organization: { reference: `Organization/${org}` },
      code: [{ coding: [code] }],
    });
    await putResources(server, [
      [
        'Organization',
        'praktijk-zon',
        { name: 'Huisartsenpraktijk De Zon', identifier: [{ system: URA, value: '90000001' }] },
      ],
      [
        'Organization',
        'praktijk-maan',
        { name: 'Huisartsenpraktijk De Maan', identifier: [{ system: URA, value: '90000002' }] },
      ],
      ['Practitioner', 'assistent-zon', { name: [{ family: 'Zonneveld' }] }],
      ['Practitioner', 'assistent-maan', { name: [{ family: 'Maanen' }] }],
      ['PractitionerRole', 'assistent-zon', role('praktijk-zon', 'assistent-zon', ASSISTANT)],
      ['PractitionerRole', 'assistent-maan', role('praktijk-maan', 'assistent-maan', ASSISTANT)],
      ['Patient', 'jan', JAN],
      [
        'Patient',
        'piet',
        {
          identifier: [{ system: PATIENT_NUMBER, value: '7777777' }],
          name: [{ family: 'Pietersen', given: ['Piet'] }],
          birthDate: '1950-01-01',
          generalPractitioner: [{ reference: 'Organization/praktijk-maan' }],
        },
      ],
    ]);
    // The app may create Communications and read; it holds no right to write a Task.
    const scope =
      'openid fhirUser patient/Communication.crs patient/Task.rs patient/Patient.rs patient/Organization.rs';
    tokens.patient = await personToken(server, 'Patient/jan', scope);
    tokens.otherPatient = await personToken(server, 'Patient/piet', 'openid fhirUser patient/*.cruds');
    tokens.assistant = await personToken(server, 'Practitioner/assistent-zon');
    tokens.otherAssistant = await personToken(server, 'Practitioner/assistent-maan');
  });
  after(async () => server?.close());

  let taskId = '';
  let communicationId = '';

  it('the app sends the request and the transaction-response carries exactly one OperationOutcome: the acknowledgement of receipt', async () => {
    const sent = await send(correctionBundle());
    expect(sent.status, JSON.stringify(sent.body)).to.equal(200);
    expect(sent.body.type).to.equal('transaction-response');
    const outcomes = ofType(sent.body, 'OperationOutcome');
    expect(outcomes).to.have.length(1);
    const [issue, ...more] = outcomes[0].resource.issue;
    expect(more).to.deep.equal([]);
    expect(issue).to.include({ severity: 'information', code: 'informational' });
    expect(issue.details.text).to.contain('Huisartsenpraktijk De Zon').and.to.contain('112');
    expect(outcomes[0].fullUrl).to.match(/^urn:uuid:/);

    // The request's entries first, in order: the Communication stored, the patient and the
    // practice found as they are stored (nothing new made of them); then the practice's Task.
    const [communication, patient, practice, task] = sent.body.entry;
    expect(communication.response.status).to.equal('201 Created');
    expect(patient.response.status).to.equal('200 OK');
    expect(patient.resource.id).to.equal('jan');
    expect(practice.resource.id).to.equal('praktijk-zon');
    communicationId = communication.resource.id;
    expect(communication.resource.subject.reference).to.equal('Patient/jan');
    expect(communication.resource.received).to.equal(NOW.toISOString());
    expect(task.response.status).to.equal('201 Created');
    taskId = task.resource.id;
    expect(task.resource).to.deep.include({
      status: 'requested',
      intent: 'order',
      description: 'Telefoonnummer wijzigen',
    });
    expect(task.resource.owner.reference).to.equal('Organization/praktijk-zon');
    expect(task.resource.for.reference).to.equal('Patient/jan');
    expect(task.resource.focus.reference).to.equal(`Communication/${communicationId}`);
    expect(communication.resource.about.map((a: Json) => a.reference)).to.include(`Task/${taskId}`);
    expect(sent.body.entry.at(-1)).to.equal(outcomes[0]);
    expect(await countOf('Patient?family=XXX_Helleman'), 'no second Patient record').to.equal(1);
    expect(await countOf('Organization?identifier=http://fhir.nl/fhir/NamingSystem/ura|90000001')).to.equal(
      1,
    );
  });

  it('the acknowledgement speaks the language the app asks for; without one, English and Dutch', async () => {
    const nl = await send(correctionBundle({ topic: 'Adres' }), 'patient', { 'accept-language': 'nl' });
    expect(ofType(nl.body, 'OperationOutcome')[0].resource.issue[0].details.text).to.equal(
      'Je wijzigingsverzoek is ontvangen, neem voor meer informatie contact op met Huisartsenpraktijk De Zon. Is de situatie levensbedreigend bel dan 112.',
    );
    const en = await send(correctionBundle({ topic: 'Adres' }), 'patient', { 'accept-language': 'en' });
    expect(ofType(en.body, 'OperationOutcome')[0].resource.issue[0].details.text).to.match(
      /^Your correction request has been received; for more information, contact Huisartsenpraktijk De Zon\./,
    );
    // No language asked for (fetch itself would send `*`, which takes the first: Dutch).
    const minimal = await call('', 'patient', {
      method: 'POST',
      body: JSON.stringify(correctionBundle()),
      headers: { 'accept-language': '' },
    });
    expect(minimal.status).to.equal(200);
    const outcome = ofType(minimal.body, 'OperationOutcome');
    expect(outcome, 'the acknowledgement is there without return=representation too').to.have.length(1);
    expect(outcome[0].resource.issue[0].details.text).to.contain(' / ');
  });

  it("the practice's assistant finds the request in the practice's list; another practice's assistant sees nothing", async () => {
    const list = await call(
      `Task?code=${TASK_CODE}&owner=Organization/praktijk-zon&_include=Task:focus`,
      'assistant',
    );
    expect(list.status).to.equal(200);
    expect(ofType(list.body, 'Task').map((e: Json) => e.resource.id)).to.include(taskId);
    expect(ofType(list.body, 'Communication').map((e: Json) => e.resource.id)).to.include(communicationId);

    const missing = await call('Task/no-such-task', 'otherAssistant');
    for (const path of [`Task/${taskId}`, `Communication/${communicationId}`]) {
      const hidden = await call(path, 'otherAssistant');
      expect(hidden.status, path).to.equal(404);
    }
    expect(missing.status).to.equal(404);
    const theirs = await call(`Task?code=${TASK_CODE}&_total=accurate`, 'otherAssistant');
    expect(theirs.body.total).to.equal(0);
    const moved = await status(taskId, 'otherAssistant', [{ name: 'status', valueCode: 'completed' }]);
    const unknown = await status('no-such-task', 'otherAssistant', [
      { name: 'status', valueCode: 'completed' },
    ]);
    expect(moved.status).to.equal(404);
    expect(moved.body.issue[0].diagnostics.replace(taskId, 'X')).to.equal(
      unknown.body.issue[0].diagnostics.replace('no-such-task', 'X'),
    );
  });

  it('the assistant accepts and completes it with an answer; the patient reads the status and the answer', async () => {
    const accepted = await status(taskId, 'assistant', [{ name: 'status', valueCode: 'accepted' }]);
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
    expect(accepted.body.parameter[0].resource.status).to.equal('accepted');
    expect((await call(`Task/${taskId}`, 'patient')).body.status).to.equal('accepted');

    const completed = await status(taskId, 'assistant', [
      { name: 'status', valueCode: 'completed' },
      { name: 'answer', valueString: 'Uw telefoonnummer is aangepast.' },
    ]);
    expect(completed.status, JSON.stringify(completed.body)).to.equal(200);

    const seen = await call(`Task/${taskId}`, 'patient');
    expect(seen.status).to.equal(200);
    expect(seen.body.status).to.equal('completed');
    expect(seen.body.lastModified).to.equal(NOW.toISOString());
    const answerRef = seen.body.output[0].valueReference.reference;
    const answer = await call(answerRef, 'patient');
    expect(answer.status).to.equal(200);
    expect(answer.body.payload[0].contentString).to.equal('Uw telefoonnummer is aangepast.');
    expect(answer.body.sender.reference).to.equal('Organization/praktijk-zon');
    expect(answer.body.inResponseTo[0].reference).to.equal(`Communication/${communicationId}`);
    const mine = await call(`Task?code=${TASK_CODE}&status=completed`, 'patient');
    expect(ofType(mine.body, 'Task').map((e: Json) => e.resource.id)).to.include(taskId);

    const again = await status(taskId, 'assistant', [{ name: 'status', valueCode: 'accepted' }]);
    expect(again.status, 'a completed request does not change any more').to.equal(409);
  });

  it('a rejection needs a reason, which the patient reads', async () => {
    const sent = await send(correctionBundle({ topic: 'Diagnose' }));
    const task = ofType(sent.body, 'Task')[0].resource.id as string;
    const bare = await status(task, 'assistant', [{ name: 'status', valueCode: 'rejected' }], {
      'accept-language': 'nl',
    });
    expect(bare.status).to.equal(400);
    expect(bare.body.issue[0].diagnostics).to.contain('Een afwijzing zegt waarom');
    const rejected = await status(task, 'assistant', [
      { name: 'status', valueCode: 'rejected' },
      { name: 'reason', valueString: 'De diagnose is gesteld door de specialist; neem contact met hem op.' },
    ]);
    expect(rejected.status).to.equal(200);
    const seen = await call(`Task/${task}`, 'patient');
    expect(seen.body).to.deep.include({
      status: 'rejected',
      statusReason: { text: 'De diagnose is gesteld door de specialist; neem contact met hem op.' },
    });
  });

  it('the patient does not move their own request: neither by the operation nor by writing the Task', async () => {
    const sent = await send(correctionBundle({ topic: 'Allergie' }));
    const task = ofType(sent.body, 'Task')[0].resource as Json;
    const moved = await status(task.id, 'patient', [{ name: 'status', valueCode: 'completed' }]);
    expect(moved.status).to.equal(403);
    const others = await call(`Task/${task.id}`, 'otherPatient');
    expect(others.status, 'another patient does not see it').to.equal(404);
    const full = await personToken(server, 'Patient/jan', 'openid fhirUser patient/*.cruds');
    const put = await call(`Task/${task.id}`, full, {
      method: 'PUT',
      body: JSON.stringify({ ...task, status: 'completed' }),
    });
    expect(put.status).to.equal(403);
    expect(put.body.issue[0].diagnostics).to.contain('$correction-status');
    const made = await call('Task', full, {
      method: 'POST',
      body: JSON.stringify({ ...task, id: undefined, status: 'completed' }),
    });
    expect(made.status, 'nor makes one of its own').to.equal(403);
    expect(made.body.issue[0].diagnostics).to.contain('$correction-status');
    expect((await call(`Task/${task.id}`, 'patient')).body.status).to.equal('requested');
  });

  it('refuses, in Dutch and English, a request about someone else, to a practice unknown here, or with more in it; nothing is stored', async () => {
    const before = await countOf('Communication?_id:missing=false');
    const piet = {
      resourceType: 'Patient',
      identifier: [{ system: PATIENT_NUMBER, value: '7777777' }],
      name: [{ family: 'Pietersen' }],
      birthDate: '1950-01-01',
    };
    const someoneElse = await send(correctionBundle({ patient: piet }), 'patient', { 'accept-language': '' });
    expect(someoneElse.status).to.equal(403);
    expect(someoneElse.body.issue[0].diagnostics).to.contain('is not you').and.to.contain('bent u niet');

    const unknown = await send(correctionBundle({ ura: '99999999' }), 'patient', { 'accept-language': 'nl' });
    expect(unknown.status).to.equal(422);
    expect(unknown.body.issue[0].diagnostics).to.contain('niet bekend').and.not.to.contain('not known');

    const observation = {
      fullUrl: `urn:uuid:${randomUUID()}`,
      resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' } },
      request: { method: 'POST', url: 'Observation' },
    };
    const more = await send(correctionBundle({ extra: [observation] }), 'patient', {
      'accept-language': 'en',
    });
    expect(more.status).to.equal(422);
    expect(more.body.issue[0].diagnostics).to.contain('does not belong in a correction request');

    const byStaff = await send(correctionBundle(), 'assistant');
    expect(byStaff.status).to.equal(403);
    const batch = await send({ ...correctionBundle(), type: 'batch' });
    expect(batch.status).to.equal(400);
    const stranger = await server.fetchBare('', {
      method: 'POST',
      body: JSON.stringify(correctionBundle()),
      headers: { 'content-type': 'application/fhir+json' },
    });
    expect(stranger.status).to.equal(401);
    expect(await countOf('Communication?_id:missing=false')).to.equal(before);
  });

  it('other transactions are ordinary: no acknowledgement, no Task', async () => {
    const plain = await call('', server.authorization!, {
      method: 'POST',
      body: JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            resource: {
              resourceType: 'Communication',
              status: 'completed',
              subject: { reference: 'Patient/jan' },
              payload: [{ contentString: 'Een gewoon bericht' }],
            },
            request: { method: 'POST', url: 'Communication' },
          },
        ],
      }),
    });
    expect(plain.status).to.equal(200);
    expect(plain.body.entry).to.have.length(1);
    expect(plain.body.entry[0].response.status).to.equal('201 Created');
    expect(idOf(plain.body.entry[0].response.location)).to.match(/^Communication\//);
  });
});
