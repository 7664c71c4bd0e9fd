import { expect } from 'chai';
import { callAs, putResources, startTestServer, type TestServer } from '../support/harness.ts';
import { monthsFrom, ORG_TYPE, portalNetwork, portalRecord, UZI_ROLE } from '../support/hospital-record.ts';
import { personToken } from '../support/smart-flow.ts';

type Json = Record<string, any>;

const CLASSIFICATION = 'https://zorgpoort.nl/fhir/StructureDefinition/portal-classification';

/**
 * The hospital caregiver portal's screens (seed 002) through real HTTP and real tokens: a GP
 * with a relationship and the patient's consent sees each screen with only what the hospital
 * approved; a GP with a relationship but no consent sees none of the hospital's data; a doctor
 * at the GP post sees nothing until they break the glass.
 */
describe('hospital portal: the screens of a record (Patient/$portal-view)', function () {
  this.timeout(180_000);
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const call = callAs(() => server, tokens);
  const now = new Date();

  const view = async (as: string, code: string, extra = '') => {
    const res = await call(`Patient/p1/$portal-view?view=${code}${extra}`, as);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  };
  const matches = (bundle: Json) =>
    (bundle.entry ?? [])
      .filter((e: Json) => e.search?.mode === 'match')
      .map((e: Json) => e.resource.id as string);
  const includes = (bundle: Json) =>
    (bundle.entry ?? [])
      .filter((e: Json) => e.search?.mode === 'include')
      .map((e: Json) => `${e.resource.resourceType}/${e.resource.id}`);
  const classes = (bundle: Json) =>
    Object.fromEntries(
      (bundle.entry ?? [])
        .filter((e: Json) => e.search?.mode === 'match')
        .map((e: Json) => [
          e.resource.id,
          e.search.extension?.find((x: Json) => x.url === CLASSIFICATION)?.valueCoding?.code,
        ]),
    );

  before(async () => {
    server = await startTestServer(
      {},
      {
        config: {
          smart: { devLogin: true, cookieKeys: [] },
          access: {
            dischargeGraceHours: 24,
            administrationRoles: [],
            breakTheGlass: { roles: [`${UZI_ROLE}|01.015`], organizations: [`${ORG_TYPE}|HAP`], hours: 12 },
            approvedOnly: ['zgt', 'mst'],
          },
        },
      },
    );
    await putResources(server, [...portalNetwork(), ...portalRecord(now)]);
    for (const who of ['gp', 'gp2', 'gp3', 'hap-arts'])
      tokens[who] = await personToken(server, `Practitioner/${who}`);
    tokens.patient = await personToken(server, 'Patient/p1', 'openid fhirUser patient/*.rs');
  });
  after(() => server?.close());

  describe('a GP with a treatment relationship and the patient’s consent', () => {
    it('sees the care moments: appointments past and future, operations once called, admissions, ER visits, open referrals', async () => {
      const appointments = await view('gp', 'appointments');
      expect(matches(appointments)).to.have.members(['appt-past', 'appt-future', 'wl-appt']);
      expect(classes(appointments)).to.include({ 'appt-past': 'past', 'appt-future': 'future' });
      const operations = await view('gp', 'operations');
      // The waiting-list operation without an appointment: the patient has not been called yet.
      expect(matches(operations)).to.have.members(['op-done', 'op-planned', 'wl-called']);
      expect(classes(operations)).to.deep.equal({
        'op-done': 'done',
        'op-planned': 'planned',
        'wl-called': 'waiting-list',
      });
      expect(matches(await view('gp', 'admissions'))).to.have.members(['adm-now', 'adm-old']);
      expect(matches(await view('gp', 'er-registrations'))).to.have.members(['er-inside', 'er-outside']);
      expect(matches(await view('gp', 'referrals'))).to.deep.equal(['ref-open']);
    });

    it('sees the medical data the hospital approved, never a provisional or unconfirmed entry', async () => {
      expect(matches(await view('gp', 'allergies'))).to.deep.equal(['allergy']);
      expect(matches(await view('gp', 'conditions'))).to.deep.equal(['condition']);
      const diagnoses = await view('gp', 'diagnoses');
      expect(matches(diagnoses)).to.deep.equal(['diagnosis']);
      expect(classes(diagnoses)).to.deep.equal({ diagnosis: 'active' });
      expect(matches(await view('gp', 'substance-use'))).to.deep.equal(['alcohol']);
      expect(matches(await view('gp', 'physical-mental-state'))).to.deep.equal(['functioning']);
    });

    it('sees implants, inserted materials and medical aids apart, each with its device', async () => {
      const implants = await view('gp', 'implants');
      expect(matches(implants)).to.deep.equal(['use-pacemaker']);
      expect(includes(implants)).to.deep.equal(['Device/pacemaker']);
      expect(matches(await view('gp', 'inserted-materials'))).to.deep.equal(['use-catheter']);
      expect(matches(await view('gp', 'medical-aids'))).to.deep.equal(['use-wheelchair']);
    });

    it('sees the medication in the seed’s five categories', async () => {
      const medication = await view('gp', 'medication');
      expect(classes(medication)).to.deep.equal({
        'med-home': 'active-home',
        'use-home': 'active-home',
        'med-clinical': 'active-clinical',
        'med-planned': 'planned',
        'med-stopped': 'stopped',
        'med-on-hold': 'ended',
        'med-completed': 'ended',
      });
    });

    it('sees reports, letters (PDF), alerts and procedures; nursing and other sections apart', async () => {
      expect(matches(await view('gp', 'treatment-reports'))).to.deep.equal(['soap']);
      const letters = await view('gp', 'letters');
      expect(matches(letters)).to.deep.equal(['letter']);
      expect(letters.entry[0].resource.content[0].attachment.contentType).to.equal('application/pdf');
      expect(matches(await view('gp', 'alerts'))).to.deep.equal(['mrsa']);
      expect(matches(await view('gp', 'procedures'))).to.deep.equal(['ecg']);
      const nursing = await view('gp', 'nursing-problems');
      expect(classes(nursing)).to.deep.equal({
        nanda: 'nanda-diagnosis',
        'noc-goal': 'noc-outcome',
        'noc-score': 'noc-score',
      });
      expect(matches(await view('gp', 'nursing-care-plan'))).to.have.members(['nursing-plan', 'nic-walk']);
      expect(matches(await view('gp', 'nursing-reports'))).to.deep.equal(['nurse-note']);
      expect(matches(await view('gp', 'nutrition-advice'))).to.deep.equal(['advice']);
      expect(matches(await view('gp', 'nutrition-agreements'))).to.deep.equal(['agreement']);
      expect(matches(await view('gp', 'treatment-limitations'))).to.deep.equal(['no-icu']);
      expect(matches(await view('gp', 'mdo'))).to.deep.equal(['mdo']);
    });

    it('sees lab results the hospital ordered, each flagged low or high against its range; not the GP’s own order, not a preliminary one', async () => {
      const lab = await view('gp', 'laboratory');
      expect(matches(lab)).to.have.members(['hb-13m', 'hb-11m', 'hb-low', 'hb-high', 'hb-recent', 'hb-mst']);
      expect(classes(lab)).to.include({ 'hb-low': 'low', 'hb-high': 'high', 'hb-recent': 'normal' });
      // The hospital's order and who placed it come along; the GP's order does not.
      expect(includes(lab)).to.have.members(['ServiceRequest/order-zgt', 'PractitionerRole/internist-role']);
      const recent = await view('gp', 'recent-results');
      expect(matches(recent)).to.include.members(['hb-recent', 'weight', 'culture', 'biopsy', 'xray']);
      expect(matches(recent)).not.to.include.members(['hb-gp']);
      expect(matches(recent)).not.to.include('hb-prelim');
      // A finding of the record (alcohol use, a NOC score) is not a result.
      expect(matches(recent)).not.to.include.members(['alcohol']);
      expect(matches(recent)).not.to.include('noc-score');
    });

    it('sees measurements, microbiology, pathology, and radiology reports with their image', async () => {
      expect(matches(await view('gp', 'measurements'))).to.deep.equal(['weight']);
      expect(matches(await view('gp', 'microbiology'))).to.deep.equal(['culture']);
      expect(matches(await view('gp', 'pathology'))).to.deep.equal(['biopsy']);
      const radiology = await view('gp', 'radiology');
      expect(matches(radiology)).to.deep.equal(['xray']);
      const image = radiology.entry.find((e: Json) => e.resource.resourceType === 'Media');
      expect(image.search.mode).to.equal('include');
      expect(image.resource.content.contentType).to.equal('image/png');
    });

    it('gets one test’s results of the last twelve months, oldest first, for the chart', async () => {
      const res = await call('Patient/p1/$portal-lab-series?code=http://loinc.org|718-7', 'gp');
      expect(res.status).to.equal(200);
      // hb-13m is older than twelve months; the GP's order and the preliminary result stay out.
      expect(matches(res.body)).to.deep.equal(['hb-11m', 'hb-low', 'hb-high', 'hb-mst', 'hb-recent']);
      expect(classes(res.body)).to.include({ 'hb-low': 'low', 'hb-high': 'high' });
      const dates = res.body.entry
        .filter((e: Json) => e.search.mode === 'match')
        .map((e: Json) => Date.parse(e.resource.effectiveDateTime));
      expect(dates[0]).to.be.at.least(Date.parse(monthsFrom(now, -12)));
    });

    it('limits a screen to one hospital', async () => {
      expect(matches(await view('gp', 'laboratory', '&hospital=Organization/mst'))).to.deep.equal(['hb-mst']);
      expect(matches(await view('gp', 'laboratory', '&hospital=Organization/zgt'))).not.to.include('hb-mst');
    });

    it('sees the inpatients and the ER visits of the last seven days among their own patients', async () => {
      const inpatients = await call('Patient/$portal-view?view=inpatients', 'gp');
      expect(inpatients.status).to.equal(200);
      expect(matches(inpatients.body)).to.deep.equal(['adm-now']);
      expect(includes(inpatients.body)).to.deep.equal(['Patient/p1']);
      const er = await call('Patient/$portal-view?view=er-visits', 'gp');
      // Registered an hour inside the window: shown; an hour before it (still there after): not.
      expect(matches(er.body)).to.deep.equal(['er-inside']);
    });

    it('leaves each screen in the patient’s access log', async () => {
      await view('gp', 'allergies');
      const log = await call('AuditEvent?patient=Patient/p1&_sort=-date&_count=50', 'patient');
      expect(log.status).to.equal(200);
      const subtypes = (log.body.entry ?? []).flatMap((e: Json) =>
        (e.resource.subtype ?? []).map((c: Json) => c.code),
      );
      expect(subtypes).to.include('$portal-view');
    });
  });

  describe('the hospitals disclose only approved data (ACCESS_APPROVED_ONLY), also outside the portal', () => {
    it('holds back a provisional diagnosis, a preliminary result and a draft letter from every path', async () => {
      for (const path of [
        'Condition/condition-provisional',
        'Observation/hb-prelim',
        'DocumentReference/letter-draft',
        'Composition/soap-draft',
      ]) {
        const res = await call(path, 'gp');
        expect(res.status, path).to.equal(404);
      }
      const all = await call('Patient/p1/$everything?_count=500', 'gp');
      const ids = all.body.entry.map((e: Json) => e.resource.id);
      expect(ids).to.include.members(['condition', 'hb-recent', 'letter']);
      expect(ids).not.to.include.members(['condition-provisional']);
      expect(ids).not.to.include('hb-prelim');
      expect(ids).not.to.include('letter-draft');
      const total = await call(
        'Observation?patient=Patient/p1&code=http://loinc.org|718-7&_summary=count',
        'gp',
      );
      expect(total.body.total).to.equal(7);
    });

    it('never holds back the caller’s own organisation’s entries', async () => {
      expect((await call('Condition/gp-own-provisional', 'gp')).status).to.equal(200);
      // Not the hospital's approved data, so not on the portal's screen.
      expect(matches(await view('gp', 'conditions'))).to.deep.equal(['condition']);
    });
  });

  describe('a GP with a treatment relationship but no consent', () => {
    it('sees the patient but none of the hospital’s data', async () => {
      for (const code of ['allergies', 'medication', 'laboratory', 'radiology', 'letters', 'appointments']) {
        expect(matches(await view('gp2', code)), code).to.deep.equal([]);
      }
      const series = await call('Patient/p1/$portal-lab-series?code=http://loinc.org|718-7', 'gp2');
      expect(matches(series.body)).to.deep.equal([]);
      const inpatients = await call('Patient/$portal-view?view=inpatients', 'gp2');
      expect(matches(inpatients.body)).to.deep.equal([]);
    });
  });

  describe('a GP whose patient consented at one hospital only', () => {
    it('sees that hospital’s data and not the other’s', async () => {
      expect(matches(await view('gp3', 'laboratory'))).to.deep.equal(['hb-mst']);
      expect(matches(await view('gp3', 'allergies'))).to.deep.equal([]);
      expect((await call('Observation/hb-mst', 'gp3')).status).to.equal(200);
      expect((await call('Observation/hb-recent', 'gp3')).status).to.equal(404);
    });
  });

  describe('a doctor at the GP post without a relationship', () => {
    it('gets 404 with the emergency procedure offered, like a missing patient otherwise; after breaking the glass, the screens', async () => {
      const hidden = await call('Patient/p1/$portal-view?view=allergies', 'hap-arts');
      expect(hidden.status).to.equal(404);
      expect(hidden.body.issue.map((i: Json) => i.code)).to.include('suppressed');
      const missing = await call('Patient/nobody/$portal-view?view=allergies', 'hap-arts');
      expect(missing.status).to.equal(404);
      expect(missing.body.issue.map((i: Json) => i.code)).not.to.include('suppressed');
      expect(matches((await call('Patient/$portal-view?view=inpatients', 'hap-arts')).body)).to.deep.equal(
        [],
      );
      const opened = await call('Patient/p1/$break-the-glass', 'hap-arts', {
        method: 'POST',
        body: JSON.stringify({
          resourceType: 'Parameters',
          parameter: [{ name: 'reason', valueString: 'Dienstdoende huisarts, patiënt benauwd' }],
        }),
      });
      expect(opened.status).to.equal(200);
      expect(matches(await view('hap-arts', 'allergies'))).to.deep.equal(['allergy']);
      expect(matches(await view('hap-arts', 'medication'))).to.have.length(7);
    });
  });

  describe('bad input', () => {
    it('answers 400 with what is accepted', async () => {
      const unknown = await call('Patient/p1/$portal-view?view=everything', 'gp');
      expect(unknown.status).to.equal(400);
      expect(unknown.body.issue[0].diagnostics).to.contain('allergies');
      const listAtInstance = await call('Patient/p1/$portal-view?view=inpatients', 'gp');
      expect(listAtInstance.status).to.equal(400);
      expect((await call('Patient/p1/$portal-view', 'gp')).status).to.equal(400);
      expect((await call('Patient/p1/$portal-view?view=allergies&sort=x', 'gp')).status).to.equal(400);
      expect((await call('Patient/p1/$portal-view?view=allergies&hospital=zgt', 'gp')).status).to.equal(400);
      expect((await call('Patient/p1/$portal-view?view=allergies&view=letters', 'gp')).status).to.equal(400);
      expect((await call('Patient/p1/$portal-lab-series', 'gp')).status).to.equal(400);
      expect((await call('Patient/p1/$portal-lab-series?code=718-7', 'gp')).status).to.equal(400);
      const dutch = await call('Patient/p1/$portal-view?view=x', 'gp', {
        headers: { 'accept-language': 'nl' },
      });
      expect(dutch.body.issue[0].diagnostics).to.match(/vraagt view=/);
    });

    it('cuts a long screen off at _count and says so', async () => {
      // The newest two are the GP's own order (left out) and hb-recent.
      const cut = await view('gp', 'laboratory', '&_count=2');
      expect(matches(cut)).to.deep.equal(['hb-recent']);
      const outcome = cut.entry.find((e: Json) => e.search.mode === 'outcome');
      expect(outcome.resource.issue[0].code).to.equal('too-costly');
    });
  });
});
