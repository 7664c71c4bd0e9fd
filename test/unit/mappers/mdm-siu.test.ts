import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { decodeMessage, Hl7, mapMessage } from '../../../mappers/index.ts';
import { createResourceValidator } from '../../../server/fhir/validation/index.ts';

type Json = Record<string, any>;
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/hl7/${name}`, import.meta.url));
const text = (name: string) => decodeMessage(fixture(name)).text;
const golden = (name: string) => JSON.parse(fixture(name).toString('utf8')) as Json;
const map = (t: string) =>
  mapMessage(Hl7.parse(t), { organization: 'Organization/zkh-oost' }) as unknown as Json;
const MDM = text('mdm-t02-latin1.hl7');
const SIU = text('siu-s12-latin1.hl7');
const of = (b: Json, type: string) => b.entry.find((e: Json) => e.resource.resourceType === type);

describe('mappers: MDM (documents) and SIU (appointments)', () => {
  const validator = createResourceValidator();
  const valid = (b: Json) => {
    for (const { resource } of b.entry) {
      if (resource.resourceType === 'Parameters') continue;
      const errors = validator
        .validate(resource)
        .filter((i) => i.severity === 'error' || i.severity === 'fatal');
      expect(errors, `${resource.resourceType}: ${JSON.stringify(errors)}`).to.deep.equal([]);
    }
  };

  it('MDM^T02: the golden discharge letter as a DocumentReference with the PDF inline', () => {
    const b = map(MDM);
    expect(b).to.deep.equal(golden('mdm-t02-latin1.json'));
    valid(b);
    const doc = of(b, 'DocumentReference');
    expect(doc.request.url).to.contain('DOC-2026-0815');
    expect(doc.resource).to.deep.include({ status: 'current', docStatus: 'final' });
    expect(doc.resource.content[0].attachment.contentType).to.equal('application/pdf');
    expect(Buffer.from(doc.resource.content[0].attachment.data, 'base64').toString('latin1')).to.contain(
      'ontslagbrief',
    );
    expect(doc.resource.custodian).to.deep.equal({ reference: 'Organization/zkh-oost' });
    expect(of(b, 'Patient').request).to.deep.include({ method: 'POST', url: 'Patient' });
  });

  it('MDM: text lines as text/plain, an edit (T08) amends, a cancel (T11) marks the document entered-in-error', () => {
    const lines = MDM.replace(
      /OBX\|1\|ED\|[^\r]*/,
      'OBX|1|TX|18842-5^Ontslagbrief^LN||Geachte collega,~Patiënte is ontslagen.||||||F',
    );
    const textDoc = of(map(lines), 'DocumentReference').resource;
    expect(textDoc.content[0].attachment.contentType).to.equal('text/plain; charset=utf-8');
    expect(Buffer.from(textDoc.content[0].attachment.data, 'base64').toString('utf8')).to.equal(
      'Geachte collega,\nPatiënte is ontslagen.',
    );
    const edit = map(MDM.replace('MDM^T02^MDM_T02', 'MDM^T08').replace('EVN|T02', 'EVN|T08'));
    expect(of(edit, 'DocumentReference').resource.docStatus).to.equal('amended');
    expect(of(edit, 'DocumentReference').request.url).to.equal(of(map(MDM), 'DocumentReference').request.url);
    const cancel = map(MDM.replace('MDM^T02^MDM_T02', 'MDM^T11').replace('EVN|T02', 'EVN|T11'));
    expect(cancel.entry).to.have.length(1);
    expect(cancel.entry[0].request.method).to.equal('PATCH');
    expect(cancel.entry[0].request.url).to.contain('DOC-2026-0815');
    expect(JSON.stringify(cancel.entry[0].resource)).to.contain('entered-in-error');
    expect(() => map(MDM.replace(/TXA\|[^\r]*/, 'TXA|1|DS'))).to.throw(/TXA-12/);
  });

  it('SIU^S12: the golden appointment, with the practitioner, the location and the service', () => {
    const b = map(SIU);
    expect(b).to.deep.equal(golden('siu-s12-latin1.json'));
    valid(b);
    const a = of(b, 'Appointment').resource;
    expect(a).to.deep.include({
      status: 'booked',
      start: '2026-12-14T10:30:00+01:00',
      end: '2026-12-14T10:50:00+01:00',
    });
    expect(a.participant.map((p: Json) => p.actor.display ?? p.actor.reference)).to.deep.equal([
      of(b, 'Patient').fullUrl,
      'Anna de Vries',
      'POLI-C, Kamer 4, ZKH-OOST',
    ]);
    expect(a.appointmentType.coding[0].system).to.equal('http://terminology.hl7.org/CodeSystem/v2-0276');
  });

  it('SIU: a reschedule updates the same appointment, a cancel cancels it; a booking without its time is refused', () => {
    const url = (b: Json) => of(b, 'Appointment').request.url;
    const moved = map(
      SIU.replace('SIU^S12^SIU_S12', 'SIU^S13').replace(
        '202612141030^202612141050',
        '202612151030^202612151050',
      ),
    );
    expect(url(moved)).to.equal(url(map(SIU)));
    expect(of(moved, 'Appointment').resource.start).to.equal('2026-12-15T10:30:00+01:00');
    expect(of(map(SIU.replace('SIU^S12^SIU_S12', 'SIU^S15')), 'Appointment').resource.status).to.equal(
      'cancelled',
    );
    expect(() => map(SIU.replace('^^^202612141030^202612141050', '')))
      .to.throw(/start and end/)
      .with.property('segment', 'SCH');
    expect(() => map(SIU.replace('SIU^S12^SIU_S12', 'SIU^S99'))).to.throw(/S99 is not mapped/);
  });
});
