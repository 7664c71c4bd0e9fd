import { expect } from 'chai';
import { Hl7, mapMessage } from '../../../mappers/index.ts';
import { OutboundMappingError, writeMessage } from '../../../mappers/out/index.ts';
import { hl7Oracle, oracleAt } from '../../support/hl7-oracle.ts';
import { LETTER_PDF, referralResources } from '../../support/referral-resources.ts';

type Json = Record<string, any>;
const r = referralResources({ patient: 'p1', gp: 'gp1', gpOrg: 'org-gp', hospital: 'org-zkh', sr: 'sr1' });
const content = {
  patient: r.patient,
  serviceRequest: r.serviceRequest,
  requester: r.gp,
  requesterOrganization: r.gpOrg,
  receiverOrganization: r.hospital,
};
const envelope = (controlId: string) => ({
  controlId,
  at: '2026-12-07T10:00:00+01:00',
  application: 'ZORGPOORT',
  receivingApplication: 'HIX',
});
const read = (text: string) => hl7Oracle(Buffer.from(text, 'utf8'), 'utf-8');

describe('mappers: outbound FHIR → HL7 v2.4', () => {
  it('ORU^R01 with the letter as a PDF reads back in python3-hl7 field by field', () => {
    const text = writeMessage('ORU^R01', envelope('ZP0001'), { ...content, document: r.letter });
    const v = read(text);
    expect(oracleAt(v, 'MSH', 9, 1)).to.equal('ORU');
    expect(oracleAt(v, 'MSH', 9, 2)).to.equal('R01');
    expect(oracleAt(v, 'MSH', 10)).to.equal('ZP0001');
    expect(oracleAt(v, 'MSH', 12)).to.equal('2.4');
    expect(oracleAt(v, 'MSH', 18)).to.equal('UNICODE UTF-8');
    // The organisations by AGB code: the GP practice sends, the hospital receives.
    expect(oracleAt(v, 'MSH', 4, 1)).to.equal('01051234');
    expect(oracleAt(v, 'MSH', 6, 1)).to.equal('06010713');
    expect(oracleAt(v, 'MSH', 6, 2)).to.equal('2.16.840.1.113883.2.4.6.1');
    expect(oracleAt(v, 'PID', 3, 1)).to.equal('999911120');
    expect(oracleAt(v, 'PID', 3, 4)).to.equal('NLMINBIZA');
    expect(oracleAt(v, 'PID', 3, 5)).to.equal('NNNLD');
    expect(oracleAt(v, 'PID', 5, 1, 1)).to.equal('van der Berg-de Vries');
    expect(oracleAt(v, 'PID', 5, 1, 3)).to.equal('Berg');
    expect(oracleAt(v, 'PID', 5, 1, 2)).to.equal('van der');
    expect(oracleAt(v, 'PID', 5, 1, 5)).to.equal('Vries');
    expect(oracleAt(v, 'PID', 7)).to.equal('19610423');
    expect(oracleAt(v, 'PID', 11, 1, 3)).to.equal('12');
    expect(oracleAt(v, 'PID', 11, 2)).to.equal('a');
    expect(oracleAt(v, 'ORC', 1)).to.equal('RE');
    expect(oracleAt(v, 'ORC', 2)).to.equal('VW-2026-0042');
    expect(oracleAt(v, 'ORC', 12, 1)).to.equal('01001234');
    expect(oracleAt(v, 'ORC', 12, 9)).to.equal('VEKTIS');
    expect(oracleAt(v, 'ORC', 21, 1)).to.equal('Huisartsenpraktijk De Linde');
    expect(oracleAt(v, 'ORC', 21, 3)).to.equal('01051234');
    expect(oracleAt(v, 'OBR', 4, 1)).to.equal('183519002');
    expect(oracleAt(v, 'OBR', 25)).to.equal('F');
    expect(oracleAt(v, 'OBX', 2)).to.equal('ED');
    expect(oracleAt(v, 'OBX', 3, 1)).to.equal('57133-1');
    expect(oracleAt(v, 'OBX', 5, 2)).to.equal('AP');
    expect(oracleAt(v, 'OBX', 5, 3)).to.equal('PDF');
    expect(oracleAt(v, 'OBX', 5, 4)).to.equal('Base64');
    expect(Buffer.from(oracleAt(v, 'OBX', 5, 5)!, 'base64').equals(LETTER_PDF)).to.equal(true);
  });

  it('ORU^R01 maps back through our own inbound mapper to the same patient and the same PDF', () => {
    const text = writeMessage('ORU^R01', envelope('ZP0002'), { ...content, document: r.letter });
    const bundle = mapMessage(Hl7.parse(text)) as unknown as Json;
    const resources = bundle.entry.map((e: Json) => e.resource);
    const patient = resources.find((x: Json) => x.resourceType === 'Patient');
    expect(patient.identifier).to.deep.include({
      system: 'http://fhir.nl/fhir/NamingSystem/bsn',
      value: '999911120',
    });
    expect(patient.name[0].family).to.equal('van der Berg-de Vries');
    expect(patient.name[0]._family).to.deep.equal(r.patient.name[0]._family);
    expect(patient.name[0].given).to.deep.equal(['Anna', 'Maria']);
    expect(patient.birthDate).to.equal('1961-04-23');
    expect(patient.address[0]._line).to.deep.equal(r.patient.address[0]._line);
    expect(patient.address[0].postalCode).to.equal('3511AB');
    const report = resources.find((x: Json) => x.resourceType === 'DiagnosticReport');
    expect(report.presentedForm[0].contentType).to.equal('application/pdf');
    expect(Buffer.from(report.presentedForm[0].data, 'base64').equals(LETTER_PDF)).to.equal(true);
  });

  it('SRM^S01 asks for the appointment; SRM^S04 withdraws the same request, with the reason escaped', () => {
    const s01 = read(
      writeMessage('SRM^S01', envelope('ZP0003'), {
        ...content,
        appointment: { ...r.appointment, id: 'ap1' },
      }),
    );
    expect(oracleAt(s01, 'MSH', 9, 2)).to.equal('S01');
    expect(oracleAt(s01, 'ARQ', 1, 1)).to.equal('ap1');
    expect(oracleAt(s01, 'ARQ', 7, 1)).to.equal('29857009');
    expect(oracleAt(s01, 'ARQ', 9)).to.equal('30');
    expect(oracleAt(s01, 'ARQ', 11, 1)).to.equal('20261214090000+0100');
    expect(oracleAt(s01, 'ARQ', 11, 2)).to.equal('20261218170000+0100');
    expect(oracleAt(s01, 'ARQ', 12)).to.equal('URGENT');
    expect(oracleAt(s01, 'ARQ', 15, 2)).to.equal('Jansen');
    expect(oracleAt(s01, 'ARQ', 24, 1)).to.equal('VW-2026-0042');
    expect(oracleAt(s01, 'PID', 3, 1)).to.equal('999911120');
    expect(oracleAt(s01, 'RGS', 1)).to.equal('1');
    expect(oracleAt(s01, 'AIS', 3, 1)).to.equal('183519002');
    expect(oracleAt(s01, 'AIS', 4)).to.equal('20261214090000+0100');

    const reason = 'Patiënt | belt af ^ ziek & thuis ~ \\ later';
    const text = writeMessage('SRM^S04', envelope('ZP0004'), {
      ...content,
      appointment: { ...r.appointment, id: 'ap1' },
      reason,
    });
    const s04 = read(text);
    expect(oracleAt(s04, 'MSH', 9, 2)).to.equal('S04');
    expect(oracleAt(s04, 'ARQ', 1, 1)).to.equal('ap1');
    expect(oracleAt(s04, 'ARQ', 6, 2)).to.equal(reason);
    // And our own parser reads the same reason.
    expect(Hl7.parse(text).value('ARQ', 6, 2)).to.equal(reason);
  });

  it('writes base64 without whitespace, and a document type without a code as a referral note', () => {
    const wrapped = LETTER_PDF.toString('base64').replace(/(.{76})/g, '$1\n');
    const letter: Json = { ...r.letter, type: { coding: [{ system: 'http://loinc.org' }] } };
    letter.content = [{ attachment: { ...r.letter.content[0].attachment, data: wrapped } }];
    const v = read(writeMessage('ORU^R01', envelope('ZP0005'), { ...content, document: letter }));
    expect(oracleAt(v, 'OBX', 5, 5)).to.equal(LETTER_PDF.toString('base64'));
    expect(oracleAt(v, 'OBX', 3, 1)).to.equal('57133-1');
  });

  it('refuses what it cannot write, saying what is missing', () => {
    const noData = {
      ...r.letter,
      id: 'd1',
      content: [{ attachment: { contentType: 'application/pdf', url: 'x' } }],
    };
    expect(() => writeMessage('ORU^R01', envelope('E1'), { ...content, document: noData })).to.throw(
      OutboundMappingError,
      /DocumentReference\/d1 holds no document inline/,
    );
    const noCode = { ...r.serviceRequest, code: undefined };
    expect(() => writeMessage('SRM^S01', envelope('E2'), { ...content, serviceRequest: noCode })).to.throw(
      OutboundMappingError,
      /AIS-3/,
    );
  });
});
