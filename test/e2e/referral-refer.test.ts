import { expect } from 'chai';
import { putResources } from '../support/harness.ts';
import { hl7Oracle, oracleAt } from '../support/hl7-oracle.ts';
import { pdfText } from '../support/pdf-text.ts';
import {
  BSN,
  CUSTODIAN,
  HOSPITAL_AGB,
  QUESTIONNAIRE_URL,
  SHARED_WITH,
  out,
  outAll,
  part,
  ref,
  referBody,
  referralWorld,
  type ReferralWorld,
} from '../support/referral-world.ts';
import { addressOf } from '../support/smtp.ts';

type Json = Record<string, any>;
const tagsOf = (r: Json, system: string) =>
  (r.meta?.tag ?? []).filter((t: Json) => t.system === system).map((t: Json) => t.code);

describe('referrals: HealthcareService/$refer — a referral with letter, answers and attachments, the patient told, the provider sharing it', function () {
  this.timeout(180_000);
  let w: ReferralWorld;
  /** The referral of p-known by BSN (made in the first test, read by the next). */
  let known: Json;

  before(async () => {
    w = await referralWorld();
  });
  after(async () => w?.close());

  it('refers a patient the practice knows, by BSN: one ServiceRequest, Task, answers, letter (PDF), told by mail and SMS, ORU^R01 to the HIS', async () => {
    const before = w.mllp.received.length;
    const res = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody([
        { name: 'function', valueReference: { reference: 'PractitionerRole/gp1-gp' } },
        { name: 'bsn', valueString: '999911120' },
        { name: 'family', valueString: 'van der Berg' },
        { name: 'given', valueString: 'Anna' },
        { name: 'birthDate', valueDate: '1961-04-23' },
        { name: 'gender', valueCode: 'female' },
        { name: 'email', valueString: 'anna@example.org' },
        { name: 'mobile', valueString: '06 12345678' },
      ]),
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    known = res.body;
    // The practice's own record of her: found, not made again.
    expect(ref(res.body, 'patient')).to.equal('Patient/p-known');
    expect(out(res.body, 'patientCreated').valueBoolean).to.equal(false);

    const sr = (await w.call(ref(res.body, 'serviceRequest'), 'gp1')).body;
    expect(sr).to.deep.include({ status: 'active', intent: 'order' });
    expect(sr.category[0].coding[0]).to.include({ code: '1', display: 'Verwijsbrief' });
    expect(sr.subject.reference).to.equal('Patient/p-known');
    expect(sr.requester.reference).to.equal('PractitionerRole/gp1-gp');
    expect(sr.performer.map((p: Json) => p.reference)).to.deep.equal([
      'Organization/org-zkh',
      'HealthcareService/hs-cardio',
    ]);
    expect(sr.reasonCode[0].coding[0]).to.include({
      system: 'http://hl7.org/fhir/sid/icpc-1-nl',
      code: 'K01',
    });
    expect(tagsOf(sr, SHARED_WITH)).to.deep.equal(['org-zkh']);
    expect(tagsOf(sr, CUSTODIAN)).to.deep.equal(['org-gp']);

    const task = (await w.call(ref(res.body, 'task'), 'gp1')).body;
    // Requested, or already received: the HIS below acknowledges the ORU^R01 with AA at once.
    expect(task).to.deep.include({ intent: 'order' });
    expect(task.status).to.be.oneOf(['requested', 'received']);
    expect(task.code.coding[0].code).to.equal('3457005');
    expect(task.focus.reference).to.equal(ref(res.body, 'serviceRequest'));
    expect(task.for.reference).to.equal('Patient/p-known');
    expect(task.owner.reference).to.equal('Organization/org-zkh');
    expect(task.requester.reference).to.equal('PractitionerRole/gp1-gp');

    const qr = (await w.call(ref(res.body, 'questionnaireResponse'), 'gp1')).body;
    expect(qr.questionnaire).to.equal(QUESTIONNAIRE_URL);
    expect(qr.item.map((i: Json) => i.linkId)).to.deep.equal(['pain', 'urgency']);
    expect(qr.item[0].answer).to.deep.equal([{ valueBoolean: true }]);

    const composition = (await w.call(ref(res.body, 'composition'), 'gp1')).body;
    expect(composition.type.coding[0].code).to.equal('57133-1');
    expect(composition.section.map((s: Json) => s.title)).to.deep.equal([
      'Reden van verwijzing',
      'Vraagstelling',
      'Medicatie',
    ]);

    const letter = (await w.call(ref(res.body, 'letter'), 'gp1')).body;
    expect(letter.context.related.map((r: Json) => r.reference)).to.include(ref(res.body, 'serviceRequest'));
    const attachment = letter.content[0].attachment;
    expect(attachment.contentType).to.equal('application/pdf');
    const pdf = Buffer.from(attachment.data, 'base64');
    expect(pdf.subarray(0, 5).toString()).to.equal('%PDF-');
    const text = pdfText(pdf);
    expect(text).to.contain('Anna van der Berg');
    expect(text).to.contain('Pijn op de borst bij inspanning');
    expect(text).to.contain('K01 Pijn toegeschreven aan hart');
    expect(text).to.contain('Ziekenhuis Rijnstad');
    expect(text).to.contain('Urgentie: Spoed');

    // What the patient was told: a Communication per message, the messages themselves.
    const told = outAll(res.body, 'communication').map((p: Json) => p.valueReference.reference);
    expect(told).to.have.length(2);
    const media = [];
    for (const c of told) {
      const communication = (await w.call(c, 'gp1')).body;
      expect(communication.about[0].reference).to.equal(ref(res.body, 'serviceRequest'));
      expect(communication.recipient[0].reference).to.equal('Patient/p-known');
      media.push(communication.medium[0].coding[0].code);
    }
    expect(media.sort()).to.deep.equal(['EMAILWRIT', 'SMSWRIT']);
    const mail = await w.smtp.next((m) => addressOf(m).includes('anna@example.org'));
    expect(mail.subject).to.equal('Uw verwijzing naar Ziekenhuis Rijnstad');
    expect(mail.text).to.contain('Cardiologie polikliniek');
    expect(mail.text).to.contain('Pieter Jansen');
    // Where and what, not why: nothing clinical in a mail that may be read by others.
    expect(mail.text).not.to.match(/borst|K01|Metformine/);
    const deadline = Date.now() + 15_000;
    while (!w.sms.received.some((s) => s.to === '0612345678') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const sms = w.sms.received.find((s) => s.to === '0612345678');
    expect(sms?.text).to.contain('Ziekenhuis Rijnstad');

    // The provider's HIS gets the letter over HL7 v2, read back by python3-hl7.
    const delivery = out(res.body, 'delivery');
    expect(part(delivery, 'status').valueCode).to.equal('queued');
    expect(part(delivery, 'destination').valueString).to.equal(HOSPITAL_AGB);
    await w.mllp.waitFor(before + 1);
    const v = hl7Oracle(w.mllp.received[before]!.raw, 'utf-8');
    expect(oracleAt(v, 'MSH', 9, 1)).to.equal('ORU');
    expect(oracleAt(v, 'MSH', 9, 2)).to.equal('R01');
    expect(oracleAt(v, 'MSH', 10)).to.equal(part(delivery, 'controlId').valueString);
    expect(oracleAt(v, 'PID', 3, 1)).to.equal('999911120');
    expect(oracleAt(v, 'OBX', 2)).to.equal('ED');
    expect(Buffer.from(oracleAt(v, 'OBX', 5, 5)!, 'base64').equals(pdf)).to.equal(true);
    // Its AA makes the Task received, which the referrer reads.
    for (let i = 0; i < 100; i++) {
      if ((await w.call(ref(res.body, 'task'), 'gp1')).body.status === 'received') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await w.call(ref(res.body, 'task'), 'gp1')).body.status).to.equal('received');
  });

  it('the receiving organisation reads what the referral shares — and nothing else of the patient, nor of others', async () => {
    const shared = [
      ref(known, 'serviceRequest'),
      ref(known, 'task'),
      ref(known, 'questionnaireResponse'),
      ref(known, 'composition'),
      ref(known, 'letter'),
      'Patient/p-known',
    ];
    for (const who of ['spec1', 'zkh']) {
      for (const path of shared) expect((await w.call(path, who)).status, `${who} ${path}`).to.equal(200);
      // The practice's own data of the patient stays the practice's.
      expect((await w.call('Condition/c-known', who)).status, who).to.equal(404);
      const conditions = await w.call('Condition?patient=Patient/p-known&_total=accurate', who);
      expect(conditions.body.total, who).to.equal(0);
      // Another patient of the practice: not at all.
      expect((await w.call('Patient/p-second', who)).status, who).to.equal(404);
      expect((await w.call('Condition/c-second', who)).status, who).to.equal(404);
      // Everything of hers it may read, by search: exactly what was shared (and her Patient).
      const everything = await w.call(
        `ServiceRequest?subject=Patient/p-known&_revinclude=Task:focus&_include=ServiceRequest:subject`,
        who,
      );
      const ids = everything.body.entry
        .map((e: Json) => `${e.resource.resourceType}/${e.resource.id}`)
        .sort();
      expect(ids, who).to.deep.equal(
        [ref(known, 'serviceRequest'), ref(known, 'task'), 'Patient/p-known'].sort(),
      );
      const communications = await w.call('Communication?subject=Patient/p-known&_total=accurate', who);
      expect(communications.body.total, `${who}: what the patient was told is not the provider's`).to.equal(
        0,
      );
    }
    // The referrer's side reads its own Condition as before.
    expect((await w.call('Condition/c-known', 'gp1')).status).to.equal(200);
  });

  it('a shared-with tag a client writes itself is dropped: it opens nothing', async () => {
    const res = await w.call('Condition', 'trusted', {
      method: 'POST',
      body: JSON.stringify({
        resourceType: 'Condition',
        meta: {
          tag: [
            { system: CUSTODIAN, code: 'org-gp' },
            { system: SHARED_WITH, code: 'org-zkh' },
          ],
        },
        subject: { reference: 'Patient/p-known' },
        code: { text: 'Depressie' },
      }),
      headers: { prefer: 'return=representation' },
    });
    expect(res.status).to.equal(201);
    expect(tagsOf(res.body, SHARED_WITH)).to.deep.equal([]);
    expect((await w.call(`Condition/${res.body.id}`, 'spec1')).status).to.equal(404);
    // Nor can an update strip the server's share of a referral row, or add another: the referrer's
    // own PUT keeps it.
    const task = (await w.call(ref(known, 'task'), 'gp1')).body;
    const updated = await w.call(ref(known, 'task'), 'gp1', {
      method: 'PUT',
      body: JSON.stringify({
        ...task,
        note: [{ text: 'Graag binnen twee weken' }],
        meta: { tag: [{ system: SHARED_WITH, code: 'org-other' }] },
      }),
      headers: { prefer: 'return=representation' },
    });
    expect(updated.status, JSON.stringify(updated.body)).to.equal(200);
    expect(tagsOf(updated.body, SHARED_WITH)).to.deep.equal(['org-zkh']);
  });

  it('the receiver reads the referral’s rows but does not change or delete them: they are the referrer’s ($referral-status changes a Task)', async () => {
    const paths = [
      ref(known, 'serviceRequest'),
      ref(known, 'task'),
      ref(known, 'letter'),
      ref(known, 'composition'),
      ref(known, 'questionnaireResponse'),
    ].filter(Boolean);
    expect(paths.length).to.be.greaterThan(2);
    for (const who of ['zkh', 'spec1']) {
      for (const path of paths) {
        const row = (await w.call(path, who)).body;
        expect(row.resourceType, `${who} reads ${path}`).to.equal(path.split('/')[0]);
        const put = await w.call(path, who, {
          method: 'PUT',
          body: JSON.stringify({ ...row, status: row.resourceType === 'Task' ? 'received' : row.status }),
          headers: { 'accept-language': 'en' },
        });
        expect(put.status, `${who} PUT ${path}: ${JSON.stringify(put.body)}`).to.equal(403);
        expect(put.body.resourceType).to.equal('OperationOutcome');
        const said = put.body.issue[0].diagnostics as string;
        expect(said).to.contain("referrer's").and.to.contain('$referral-status');
        const patch = await w.call(path, who, {
          method: 'PATCH',
          body: JSON.stringify([{ op: 'add', path: '/language', value: 'nl' }]),
          headers: { 'content-type': 'application/json-patch+json' },
        });
        expect(patch.status, `${who} PATCH ${path}`).to.equal(403);
        expect(patch.body.issue[0].diagnostics).to.contain('verwijzer');
        expect((await w.call(path, who, { method: 'DELETE' })).status, `${who} DELETE ${path}`).to.equal(403);
        // Still there, unchanged.
        const after = await w.call(path, 'gp1');
        expect(after.status, `${path} after`).to.equal(200);
        expect(after.body.meta.versionId).to.equal(row.meta.versionId);
      }
    }
    // A conditional write or a Bundle entry takes the same way in.
    const bundle = await w.call('', 'zkh', {
      method: 'POST',
      body: JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ request: { method: 'DELETE', url: ref(known, 'serviceRequest') } }],
      }),
    });
    expect(bundle.status, JSON.stringify(bundle.body)).to.equal(403);
    expect((await w.call(ref(known, 'serviceRequest'), 'gp1')).status).to.equal(200);
  });

  it('refers without a BSN, by name, birth date and address: the practice’s own new record of the patient', async () => {
    const res = await w.post(
      'HealthcareService/hs-lab/$refer',
      'gp1',
      referBody(
        [
          { name: 'family', valueString: 'Zonderbsn' },
          { name: 'given', valueString: 'Karel' },
          { name: 'birthDate', valueDate: '1980-02-29' },
          { name: 'gender', valueCode: 'male' },
          { name: 'postalCode', valueString: '1234 ab' },
          { name: 'houseNumber', valueString: '7a' },
          { name: 'street', valueString: 'Dorpsstraat' },
          { name: 'city', valueString: 'Ergens' },
        ],
        { answers: [] },
      ),
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(out(res.body, 'patientCreated').valueBoolean).to.equal(true);
    // No questions for this offering, so no answers; the provider has no HL7 v2 destination.
    expect(out(res.body, 'questionnaireResponse')).to.equal(undefined);
    expect(part(out(res.body, 'delivery'), 'channel').valueCode).to.equal('none');
    const patient = (await w.call(ref(res.body, 'patient'), 'gp1')).body;
    expect(patient.identifier).to.equal(undefined);
    expect(patient.address[0]).to.deep.include({
      postalCode: '1234AB',
      line: ['Dorpsstraat 7a'],
      city: 'Ergens',
    });
    expect(tagsOf(patient, CUSTODIAN)).to.deep.equal(['org-gp']);
    expect(patient.managingOrganization.reference).to.equal('Organization/org-gp');
    const sr = (await w.call(ref(res.body, 'serviceRequest'), 'gp1')).body;
    expect(sr.category[0].coding[0]).to.include({ system: 'http://snomed.info/sct', code: '103693007' });
    // The same patient again: found by name, birth date and address, not made twice.
    const again = await w.post(
      'HealthcareService/hs-lab/$refer',
      'gp1',
      referBody(
        [
          { name: 'family', valueString: 'Zonderbsn' },
          { name: 'birthDate', valueDate: '1980-02-29' },
          { name: 'postalCode', valueString: '1234AB' },
          { name: 'houseNumber', valueString: '7a' },
        ],
        { answers: [] },
      ),
    );
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    expect(ref(again.body, 'patient')).to.equal(ref(res.body, 'patient'));
  });

  it('a BSN the practice cannot see makes its own record, telling nothing of the other; the patient sees the referral in their own view', async () => {
    const res = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody([
        { name: 'bsn', valueString: '999999333' },
        // A prefix and other case: the same family name. The birth date as the hidden record's.
        { name: 'family', valueString: 'van VERBORGEN' },
        { name: 'birthDate', valueDate: '1950-05-05' },
        { name: 'email', valueString: 'henk@example.org' },
      ]),
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(out(res.body, 'patientCreated').valueBoolean).to.equal(true);
    expect(ref(res.body, 'patient')).not.to.equal('Patient/p-hidden');
    expect(JSON.stringify(res.body)).not.to.contain('p-hidden');
    expect((await w.call('Patient/p-hidden', 'gp1')).status).to.equal(404);
    // The same answer as for a BSN nobody has.
    const fresh = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody([
        { name: 'bsn', valueString: '999999345' },
        { name: 'family', valueString: 'Nieuw' },
        { name: 'birthDate', valueDate: '1990-01-01' },
      ]),
    );
    expect(fresh.status, JSON.stringify(fresh.body)).to.equal(201);
    expect(out(fresh.body, 'patientCreated').valueBoolean).to.equal(true);
    expect(fresh.body.parameter.map((p: Json) => p.name)).to.deep.equal(
      res.body.parameter
        .filter((p: Json) => !['communication', 'informed'].includes(p.name))
        .map((p: Json) => p.name),
    );

    // The person logs in (their record of the other practice): the referral and the message show.
    const asPatient = `Bearer-patient`;
    w.tokens[asPatient] = await w.patientToken('p-hidden');
    const requests = await w.call('ServiceRequest', asPatient);
    expect(requests.status).to.equal(200);
    expect(requests.body.entry.map((e: Json) => `ServiceRequest/${e.resource.id}`)).to.deep.equal([
      ref(res.body, 'serviceRequest'),
    ]);
    const communications = await w.call('Communication', asPatient);
    expect(communications.body.entry).to.have.length(1);
    expect(communications.body.entry[0].resource.payload[0].contentString).to.contain('Ziekenhuis Rijnstad');
    // Their view does not reach other patients' referrals.
    expect((await w.call(ref(known, 'serviceRequest'), asPatient)).status).to.equal(404);
    // And the new record's own login (by its id) sees it as well.
    w.tokens.newPatient = await w.patientToken(ref(fresh.body, 'patient').split('/')[1]!);
    expect((await w.call(ref(fresh.body, 'serviceRequest'), 'newPatient')).status).to.equal(200);
    expect((await w.call(ref(fresh.body, 'letter'), 'newPatient')).status).to.equal(200);

    // Her deny is per record: she records one on the practice's record of her too (a Consent,
    // and only a Consent), and the hospital no longer reads the referral.
    w.tokens.patientWrites = await w.patientToken('p-hidden', 'openid fhirUser patient/*.cruds');
    const gpRecord = ref(res.body, 'patient');
    expect((await w.call(ref(res.body, 'serviceRequest'), 'spec1')).status).to.equal(200);
    const consent = {
      resourceType: 'Consent',
      status: 'active',
      scope: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
      },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: gpRecord },
      policy: [{ uri: 'https://zorgpoort.nl/consent' }],
      provision: {
        type: 'deny',
        actor: [{ role: { text: 'ontvanger' }, reference: { reference: 'Organization/org-zkh' } }],
      },
    };
    const denied = await w.call('Consent', 'patientWrites', {
      method: 'POST',
      body: JSON.stringify(consent),
    });
    expect(denied.status, JSON.stringify(denied.body)).to.equal(201);
    expect((await w.call(ref(res.body, 'serviceRequest'), 'spec1')).status).to.equal(404);
    expect((await w.call(ref(res.body, 'serviceRequest'), 'zkh')).status).to.equal(404);
    // Anything else about the other record stays the practice's to write.
    const note = await w.call('Observation', 'patientWrites', {
      method: 'POST',
      body: JSON.stringify({
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'Gewicht' },
        subject: { reference: gpRecord },
      }),
    });
    expect(note.status, JSON.stringify(note.body)).to.equal(403);
    // Nor a Consent about a stranger's record.
    const foreign = await w.call('Consent', 'patientWrites', {
      method: 'POST',
      body: JSON.stringify({ ...consent, patient: { reference: 'Patient/p-known' } }),
    });
    expect(foreign.status).to.be.oneOf([403, 404]);
  });

  it('a mistyped BSN shows the referral to no stranger: a patient’s login reads only records of their birth date and family name', async () => {
    const stranger = '999999412';
    await putResources(w.server, [
      [
        'Patient',
        'p-stranger',
        {
          meta: { tag: [{ system: CUSTODIAN, code: 'org-other' }] },
          identifier: [{ system: BSN, value: stranger }],
          name: [{ family: 'Vreemd', given: ['Piet'] }],
          birthDate: '1960-06-06',
        },
      ],
    ]);
    // The GP meant someone else (born 1985, Anders) and typed the stranger's BSN.
    const res = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody([
        { name: 'bsn', valueString: stranger },
        { name: 'family', valueString: 'Anders' },
        { name: 'birthDate', valueDate: '1985-03-03' },
      ]),
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(out(res.body, 'patientCreated').valueBoolean).to.equal(true);
    w.tokens.stranger = await w.patientToken('p-stranger');
    expect((await w.call(ref(res.body, 'serviceRequest'), 'stranger')).status).to.equal(404);
    expect((await w.call('ServiceRequest', 'stranger')).body.entry ?? []).to.have.length(0);
    expect((await w.call(ref(res.body, 'patient'), 'stranger')).status).to.equal(404);
  });

  it('a patient the caller may not see, named by reference, is refused as a missing one', async () => {
    const hidden = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody([{ name: 'patient', valueReference: { reference: 'Patient/p-hidden' } }]),
    );
    const missing = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody([{ name: 'patient', valueReference: { reference: 'Patient/nobody' } }]),
    );
    expect(hidden.status).to.equal(422);
    expect(missing.status).to.equal(422);
    expect(hidden.body.issue[0].diagnostics.replace('p-hidden', 'X')).to.equal(
      missing.body.issue[0].diagnostics.replace('nobody', 'X'),
    );
  });

  it('the patient’s deny for the provider still wins: it reads nothing, and nothing goes to its HIS', async () => {
    await putResources(w.server, [
      [
        'Patient',
        'p-deny',
        {
          meta: { tag: [{ system: CUSTODIAN, code: 'org-gp' }] },
          name: [{ family: 'Weigeraar' }],
          birthDate: '1955-05-05',
          generalPractitioner: [{ reference: 'Organization/org-gp' }],
        },
      ],
      [
        'Consent',
        'p-deny-zkh',
        {
          status: 'active',
          scope: {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' },
            ],
          },
          category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
          patient: { reference: 'Patient/p-deny' },
          policy: [{ uri: 'https://zorgpoort.nl/consent' }],
          provision: {
            type: 'deny',
            actor: [{ role: { text: 'ontvanger' }, reference: { reference: 'Organization/org-zkh' } }],
          },
        },
      ],
    ]);
    const before = w.mllp.received.length;
    const res = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody([{ name: 'patient', valueReference: { reference: 'Patient/p-deny' } }]),
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const delivery = out(res.body, 'delivery');
    expect(part(delivery, 'status').valueCode).to.equal('failed');
    expect(part(delivery, 'reason').valueString).to.contain('may not receive');
    for (const who of ['spec1', 'zkh']) {
      for (const path of [ref(res.body, 'serviceRequest'), ref(res.body, 'letter'), 'Patient/p-deny'])
        expect((await w.call(path, who)).status, `${who} ${path}`).to.equal(404);
    }
    await new Promise((r) => setTimeout(r, 1000));
    expect(w.mllp.received.length).to.equal(before);
  });

  it('once the referral is completed, the provider’s relationship ends', async () => {
    const srPath = ref(known, 'serviceRequest');
    expect((await w.call(srPath, 'spec1')).status, 'open: shared').to.equal(200);
    const sr = (await w.call(srPath, 'trusted')).body;
    expect(
      (
        await w.call(srPath, 'trusted', {
          method: 'PUT',
          body: JSON.stringify({ ...sr, status: 'completed' }),
        })
      ).status,
    ).to.equal(200);
    const task = (await w.call(ref(known, 'task'), 'trusted')).body;
    expect(
      (
        await w.call(ref(known, 'task'), 'trusted', {
          method: 'PUT',
          body: JSON.stringify({ ...task, status: 'completed' }),
        })
      ).status,
    ).to.equal(200);
    for (const who of ['spec1', 'zkh']) {
      for (const path of [srPath, ref(known, 'task'), ref(known, 'letter'), 'Patient/p-known'])
        expect((await w.call(path, who)).status, `${who} ${path}`).to.equal(404);
    }
  });
});

describe('referrals: $refer refuses what it cannot do, and writes all or nothing', function () {
  this.timeout(240_000);
  let w: ReferralWorld;
  const identified = [
    { name: 'bsn', valueString: '999911120' },
    { name: 'family', valueString: 'van der Berg' },
    { name: 'birthDate', valueDate: '1961-04-23' },
  ];
  const count = async (type: string) =>
    (await w.call(`${type}?_summary=count`, 'trusted')).body.total as number;

  before(async () => {
    w = await referralWorld();
  });
  after(async () => w?.close());

  it('a required question missing: 400 naming it (text and linkId), nothing written', async () => {
    const before = await count('ServiceRequest');
    const res = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody(identified, {
        answers: [
          {
            name: 'answer',
            part: [
              { name: 'linkId', valueString: 'pain' },
              { name: 'value', valueBoolean: false },
            ],
          },
        ],
      }),
    );
    expect(res.status).to.equal(400);
    expect(res.body.issue[0].diagnostics).to.contain("'Urgentie' (linkId urgency)");
    expect(await count('ServiceRequest')).to.equal(before);
  });

  it('an answer of the wrong type, an unknown option or question: 400 naming it; a QuestionnaireResponse is taken too', async () => {
    const answer = (linkId: string, value: Json) => ({
      name: 'answer',
      part: [
        { name: 'linkId', valueString: linkId },
        { name: 'value', ...value },
      ],
    });
    const urgent = answer('urgency', {
      valueCoding: { system: 'https://zorgpoort.test/urgency', code: 'urgent' },
    });
    const wrongType = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody(identified, { answers: [answer('pain', { valueString: 'ja' }), urgent] }),
    );
    expect(wrongType.status).to.equal(400);
    expect(wrongType.body.issue[0].diagnostics).to.contain('pain').and.to.contain('valueBoolean');
    const option = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody(identified, {
        answers: [
          answer('pain', { valueBoolean: true }),
          answer('urgency', { valueCoding: { system: 'https://zorgpoort.test/urgency', code: 'yesterday' } }),
        ],
      }),
    );
    expect(option.status).to.equal(400);
    expect(option.body.issue[0].diagnostics).to.contain('Urgentie').and.to.contain('normal, urgent');
    const unknown = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody(identified, {
        answers: [answer('pain', { valueBoolean: true }), urgent, answer('shoe-size', { valueInteger: 43 })],
      }),
    );
    expect(unknown.status).to.equal(400);
    expect(unknown.body.issue[0].diagnostics).to.contain('shoe-size');
    const asResponse = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody(identified, {
        answers: [
          {
            name: 'answers',
            resource: {
              resourceType: 'QuestionnaireResponse',
              status: 'completed',
              item: [
                { linkId: 'pain', answer: [{ valueBoolean: true }] },
                {
                  linkId: 'urgency',
                  answer: [{ valueCoding: { system: 'https://zorgpoort.test/urgency', code: 'normal' } }],
                },
                { linkId: 'context', item: [{ linkId: 'remarks', answer: [{ valueString: 'Rookt' }] }] },
              ],
            },
          },
        ],
      }),
    );
    expect(asResponse.status, JSON.stringify(asResponse.body)).to.equal(201);
    const qr = (await w.call(ref(asResponse.body, 'questionnaireResponse'), 'gp1')).body;
    expect(qr.item.map((i: Json) => i.linkId)).to.deep.equal(['pain', 'urgency', 'context']);
    expect(qr.item[2].item[0].answer).to.deep.equal([{ valueString: 'Rookt' }]);
  });

  it('a 10 MB attachment is stored and shared; a too-large one is refused (413) before anything is written', async () => {
    const tenMb = Buffer.alloc(10 * 1024 * 1024, 0x41);
    Buffer.from('%PDF-1.4\n').copy(tenMb);
    const res = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody([
        ...identified,
        {
          name: 'attachment',
          valueAttachment: { contentType: 'application/pdf', title: 'ECG', data: tenMb.toString('base64') },
        },
        {
          name: 'attachment',
          valueAttachment: {
            contentType: 'text/plain',
            title: 'Notitie',
            data: Buffer.from('Zie ECG').toString('base64'),
          },
        },
      ]),
    );
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).to.equal(201);
    const [ecg, note] = outAll(res.body, 'attachment').map((p: Json) => p.valueReference.reference);
    for (const who of ['gp1', 'spec1', 'zkh']) {
      const doc = (await w.call(ecg!, who)).body;
      expect(doc.content[0].attachment.size, who).to.equal(tenMb.length);
      expect(Buffer.from(doc.content[0].attachment.data, 'base64').equals(tenMb), who).to.equal(true);
      expect((await w.call(note!, who)).status, who).to.equal(200);
    }
    const sr = (await w.call(ref(res.body, 'serviceRequest'), 'gp1')).body;
    expect(sr.supportingInfo.map((s: Json) => s.reference)).to.include.members([ecg, note]);

    const before = await count('DocumentReference');
    const tooLarge = Buffer.alloc(20 * 1024 * 1024 + 1, 0x41);
    Buffer.from('%PDF-1.4\n').copy(tooLarge);
    const refused = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody([
        ...identified,
        {
          name: 'attachment',
          valueAttachment: {
            contentType: 'application/pdf',
            title: 'Scan',
            data: tooLarge.toString('base64'),
          },
        },
      ]),
    );
    expect(refused.status).to.equal(413);
    expect(refused.body.issue[0].diagnostics)
      .to.contain("Attachment 'Scan' is 20.0 MB")
      .and.to.contain('at most 20.0 MB');
    expect(await count('DocumentReference')).to.equal(before);
    // A file type not on the list: 415.
    const exe = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody([
        ...identified,
        {
          name: 'attachment',
          valueAttachment: {
            contentType: 'application/x-msdownload',
            title: 'virus.exe',
            data: 'TVqQAAMAAAAEAAAA',
          },
        },
      ]),
    );
    expect(exe.status).to.equal(415);
  });

  it('a failure midway (an attachment that is not what it claims, after valid parts) leaves nothing written, mails nothing', async () => {
    const types = [
      'Patient',
      'ServiceRequest',
      'Task',
      'QuestionnaireResponse',
      'Composition',
      'DocumentReference',
      'Communication',
    ];
    const before = await Promise.all(types.map(count));
    const res = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody([
        { name: 'bsn', valueString: '999999357' },
        { name: 'family', valueString: 'Halverwege' },
        { name: 'birthDate', valueDate: '1985-03-03' },
        { name: 'email', valueString: 'halverwege@example.org' },
        { name: 'mobile', valueString: '+31 6 87654321' },
        {
          name: 'attachment',
          valueAttachment: {
            contentType: 'application/pdf',
            title: 'Goed',
            data: Buffer.from('%PDF-1.4 ok').toString('base64'),
          },
        },
        {
          name: 'attachment',
          valueAttachment: {
            contentType: 'image/png',
            title: 'Geen plaatje',
            data: Buffer.from('not a png at all').toString('base64'),
          },
        },
      ]),
    );
    expect(res.status).to.equal(400);
    expect(res.body.issue[0].diagnostics).to.contain("Attachment 'Geen plaatje' is not a PNG file");
    expect(await Promise.all(types.map(count))).to.deep.equal(before);
    const patients = await w.call(`Patient?identifier=${BSN}|999999357`, 'trusted');
    expect(patients.body.entry ?? []).to.have.length(0);
    await new Promise((r) => setTimeout(r, 2500)); // the outbox's workers poll every second
    expect(w.smtp.messages.some((m) => addressOf(m).includes('halverwege@example.org'))).to.equal(false);
    expect(w.sms.received.some((s) => s.to === '+31687654321')).to.equal(false);
  });

  it('only an active care function refers: a deactivated function or account, an admin function, a system client are refused (403) saying why', async () => {
    const body = referBody(identified);
    const deactivated = await w.post('HealthcareService/hs-cardio/$refer', 'gp2', body);
    expect(deactivated.status).to.equal(403);
    expect(deactivated.body.issue[0].diagnostics).to.equal(
      'Your care function (gp) is deactivated: it cannot refer',
    );
    const named = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp2',
      referBody([
        ...identified,
        { name: 'function', valueReference: { reference: 'PractitionerRole/gp2-gp' } },
      ]),
    );
    expect(named.status).to.equal(403);
    expect(named.body.issue[0].diagnostics).to.contain(
      "function 'gp' (PractitionerRole/gp2-gp) is deactivated",
    );
    // The whole account deactivated after its login: its token is void from the next request.
    const off = await w.server.fetch('Practitioner/gp3', {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Practitioner',
        id: 'gp3',
        active: false,
        name: [{ family: 'Bakker' }],
      }),
    });
    expect(off.status).to.equal(200);
    const account = await w.post('HealthcareService/hs-cardio/$refer', 'gp3', body);
    expect(account.status).to.equal(401);
    expect(account.body.issue[0].code).to.equal('login');
    const admin = await w.post('HealthcareService/hs-cardio/$refer', 'adm1', body);
    expect(admin.status).to.equal(403);
    expect(admin.body.issue[0].diagnostics).to.contain('active care function');
    const notCare = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody([
        ...identified,
        { name: 'function', valueReference: { reference: 'PractitionerRole/gp1-admin' } },
      ]),
    );
    expect(notCare.status).to.equal(403);
    expect(notCare.body.issue[0].diagnostics).to.contain('not a care function');
    const someoneElses = await w.post(
      'HealthcareService/hs-cardio/$refer',
      'gp1',
      referBody([
        ...identified,
        { name: 'function', valueReference: { reference: 'PractitionerRole/spec1-zkh' } },
      ]),
    );
    expect(someoneElses.status).to.equal(403);
    const system = await w.post('HealthcareService/hs-cardio/$refer', 'gpSystem', body);
    expect(system.status).to.equal(403);
    // Dutch alone when asked for.
    const nl = await w.call('HealthcareService/hs-cardio/$refer', 'adm1', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'accept-language': 'nl' },
    });
    expect(nl.body.issue[0].diagnostics).to.match(/^Verwijzen vraagt een actieve zorgfunctie/);
  });

  it('bad patient data, a missing letter, a closed or missing offering: refused with what to fix', async () => {
    const post = (extra: Json[], options?: Parameters<typeof referBody>[1], offering = 'hs-cardio') =>
      w.post(`HealthcareService/${offering}/$refer`, 'gp1', referBody(extra, options));
    const badBsn = await post([{ name: 'bsn', valueString: '123456789' }, ...identified.slice(1)]);
    expect(badBsn.status).to.equal(400);
    expect(badBsn.body.issue[0].diagnostics).to.contain('11-test');
    const noAddress = await post([identified[1]!, identified[2]!]);
    expect(noAddress.status).to.equal(400);
    expect(noAddress.body.issue[0].diagnostics).to.contain('postalCode').and.to.contain('houseNumber');
    const noReason = await post(identified, {
      letter: [{ name: 'question', valueString: 'Graag beoordelen' }],
    });
    expect(noReason.status).to.equal(400);
    expect(noReason.body.issue[0].diagnostics).to.contain("'reason'");
    const badMobile = await post([...identified, { name: 'mobile', valueString: '020 1234567' }]);
    expect(badMobile.status).to.equal(400);
    expect((await post(identified, undefined, 'hs-closed')).status).to.equal(409);
    expect((await post(identified, undefined, 'nope')).status).to.equal(404);
  });

  it("of several active questionnaires under the offering's url: the provider's, else 409 naming them", async () => {
    const before = await count('ServiceRequest');
    // Another organisation's questionnaire under the same url, asking something else (required).
    await putResources(w.server, [
      [
        'Questionnaire',
        'q-cardio-twin',
        {
          meta: { tag: [{ system: CUSTODIAN, code: 'org-other' }] },
          url: QUESTIONNAIRE_URL,
          status: 'active',
          item: [{ linkId: 'other', text: 'Iets anders', type: 'boolean', required: true }],
        },
      ],
    ]);
    const post = (language = 'en') =>
      w.call('HealthcareService/hs-cardio/$refer', 'gp1', {
        method: 'POST',
        body: JSON.stringify(referBody(identified)),
        headers: { 'accept-language': language },
      });
    const ambiguous = await post();
    expect(ambiguous.status, JSON.stringify(ambiguous.body).slice(0, 300)).to.equal(409);
    expect(ambiguous.body.issue[0].diagnostics)
      .to.contain('Questionnaire/q-cardio')
      .and.contain('Questionnaire/q-cardio-twin')
      .and.contain('none is published by its provider Organization/org-zkh');
    expect((await post('nl')).body.issue[0].diagnostics).to.contain('niet eenduidig');
    expect(await count('ServiceRequest')).to.equal(before);
    // Once the provider's own is known (its custodian tag), that one is asked.
    const own = (await w.call('Questionnaire/q-cardio', 'trusted')).body;
    delete own.meta;
    const tagged = await w.call('Questionnaire/q-cardio', 'trusted', {
      method: 'PUT',
      body: JSON.stringify({ ...own, meta: { tag: [{ system: CUSTODIAN, code: 'org-zkh' }] } }),
    });
    expect(tagged.status).to.equal(200);
    const res = await post();
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).to.equal(201);
    expect(await count('ServiceRequest')).to.equal(before + 1);
  });
});
