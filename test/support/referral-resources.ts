/**
 * A referral as FHIR resources (nl-core shapes: a patient with BSN, name parts and house number;
 * a GP with AGB; a hospital with AGB; a letter as a PDF): the input of the outbound HL7 v2 tests.
 */
type Json = Record<string, any>;
const EXT = 'http://hl7.org/fhir/StructureDefinition';
export const AGB = 'http://fhir.nl/fhir/NamingSystem/agb-z';
export const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';

/** A one-page PDF ("Verwijsbrief"), small but real: a PDF reader opens it. */
export const LETTER_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n' +
    '4 0 obj<</Length 44>>stream\nBT /F1 18 Tf 72 760 Td (Verwijsbrief) Tj ET\nendstream endobj\n' +
    '5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);

export function referralResources(ids: {
  patient: string;
  gp: string;
  gpOrg: string;
  hospital: string;
  sr: string;
}) {
  const patient: Json = {
    resourceType: 'Patient',
    id: ids.patient,
    identifier: [{ system: BSN, value: '999911120' }],
    name: [
      {
        use: 'official',
        family: 'van der Berg-de Vries',
        _family: {
          extension: [
            { url: `${EXT}/humanname-own-prefix`, valueString: 'van der' },
            { url: `${EXT}/humanname-own-name`, valueString: 'Berg' },
            { url: `${EXT}/humanname-partner-prefix`, valueString: 'de' },
            { url: `${EXT}/humanname-partner-name`, valueString: 'Vries' },
          ],
        },
        given: ['Anna', 'Maria'],
      },
    ],
    gender: 'female',
    birthDate: '1961-04-23',
    address: [
      {
        use: 'home',
        line: ['Kerkstraat 12 a'],
        _line: [
          {
            extension: [
              { url: `${EXT}/iso21090-ADXP-streetName`, valueString: 'Kerkstraat' },
              { url: `${EXT}/iso21090-ADXP-houseNumber`, valueString: '12' },
              { url: `${EXT}/iso21090-ADXP-buildingNumberSuffix`, valueString: 'a' },
            ],
          },
        ],
        city: 'Utrecht',
        postalCode: '3511AB',
        country: 'NL',
      },
    ],
  };
  const gp: Json = {
    resourceType: 'Practitioner',
    id: ids.gp,
    identifier: [{ system: AGB, value: '01001234' }],
    name: [{ family: 'Jansen', given: ['Pieter'] }],
  };
  const gpOrg: Json = {
    resourceType: 'Organization',
    id: ids.gpOrg,
    identifier: [{ system: AGB, value: '01051234' }],
    name: 'Huisartsenpraktijk De Linde',
  };
  const hospital: Json = {
    resourceType: 'Organization',
    id: ids.hospital,
    identifier: [{ system: AGB, value: '06010713' }],
    name: 'Ziekenhuis Rijnstad',
  };
  const serviceRequest: Json = {
    resourceType: 'ServiceRequest',
    id: ids.sr,
    identifier: [{ system: 'https://zorgpoort.nl/fhir/NamingSystem/referral', value: 'VW-2026-0042' }],
    status: 'active',
    intent: 'order',
    priority: 'urgent',
    code: {
      coding: [
        { system: 'http://snomed.info/sct', code: '183519002', display: 'Verwijzing naar cardioloog' },
      ],
    },
    reasonCode: [
      { coding: [{ system: 'http://snomed.info/sct', code: '29857009', display: 'Pijn op de borst' }] },
    ],
    subject: { reference: `Patient/${ids.patient}` },
    requester: { reference: `Practitioner/${ids.gp}` },
    performer: [{ reference: `Organization/${ids.hospital}` }],
    authoredOn: '2026-12-07T09:30:00+01:00',
  };
  const letter: Json = {
    resourceType: 'DocumentReference',
    status: 'current',
    type: { coding: [{ system: 'http://loinc.org', code: '57133-1', display: 'Referral note' }] },
    subject: { reference: `Patient/${ids.patient}` },
    date: '2026-12-07T09:35:00+01:00',
    author: [{ reference: `Practitioner/${ids.gp}` }],
    description: 'Verwijsbrief cardiologie',
    content: [
      {
        attachment: {
          contentType: 'application/pdf',
          data: LETTER_PDF.toString('base64'),
          title: 'Verwijsbrief',
        },
      },
    ],
    context: { related: [{ reference: `ServiceRequest/${ids.sr}` }] },
  };
  const appointment: Json = {
    resourceType: 'Appointment',
    status: 'proposed',
    basedOn: [{ reference: `ServiceRequest/${ids.sr}` }],
    requestedPeriod: [{ start: '2026-12-14T09:00:00+01:00', end: '2026-12-18T17:00:00+01:00' }],
    minutesDuration: 30,
    participant: [{ actor: { reference: `Patient/${ids.patient}` }, status: 'needs-action' }],
  };
  return { patient, gp, gpOrg, hospital, serviceRequest, letter, appointment };
}
