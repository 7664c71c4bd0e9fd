import { pdf } from './attachments.ts';
import { org, person } from './directory.ts';
import { patientRef } from './patients.ts';
import { concept, DOCUMENT_TYPE, held, loinc, sct, type Clock, type Hospital, type Json } from './context.ts';

/**
 * Dossier › Rapporten, Verpleegkundig dossier and MDO (seed 002 §2.4): a SOEP treatment report,
 * letters as PDF (a final discharge letter and outpatient letter; a draft that is not shown), a
 * nurse's note, and the report of a multidisciplinary meeting.
 */
const xhtml = (lines: string[]) => ({
  status: 'generated',
  div: `<div xmlns="http://www.w3.org/1999/xhtml">${lines.map((l) => `<p>${l}</p>`).join('')}</div>`,
});

function soap(id: string, patient: string, holder: Hospital, when: string, who: string, title: string, s: Record<'S' | 'O' | 'E' | 'P', string>): Json {
  const section = (code: string, display: string, text: string) => ({
    title: display,
    code: sct(code, display),
    text: xhtml([text]),
  });
  return held(
    holder,
    {
      resourceType: 'Composition',
      id,
      status: 'final',
      type: sct('11591000146107', 'Patiëntcontactverslag'),
      subject: patientRef(patient),
      date: when,
      author: [person(who)],
      title,
      custodian: org(holder),
      section: [
        section('255362007', 'Subjectief', s.S),
        section('260224007', 'Objectief', s.O),
        section('129265001', 'Evaluatie', s.E),
        section('129271007', 'Plan', s.P),
      ],
    },
    'nl-core-SOAPReport',
  );
}

function document(
  id: string,
  patient: string,
  holder: Hospital,
  type: Json,
  when: string,
  who: string,
  title: string,
  lines: string[],
  docStatus: 'final' | 'preliminary' = 'final',
): Json {
  return held(holder, {
    resourceType: 'DocumentReference',
    id,
    status: 'current',
    docStatus,
    type,
    category: [concept('http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category', 'clinical-note', 'Clinical Note')],
    subject: patientRef(patient),
    date: when,
    author: [person(who)],
    custodian: org(holder),
    description: title,
    content: [
      {
        attachment: {
          contentType: 'application/pdf',
          language: 'nl',
          title: `${title}.pdf`,
          creation: when,
          data: pdf(title, lines),
        },
      },
    ],
  });
}

const DISCHARGE = loinc('18842-5', 'Ontslagbrief');
const OUTPATIENT = loinc('11488-4', 'Consultverslag');
const NURSE_NOTE = loinc('34746-8', 'Verpleegkundige notitie');
const MDO = concept(DOCUMENT_TYPE, 'mdo', 'Multidisciplinair overleg');

export function reports(c: Clock): Record<string, Json[]> {
  return {
    johanna: [
      soap('hz-jo-soep-zgt', 'johanna', 'zgt', c.at(-1, 10, 30), 'hz-zgt-internist-jansen', 'Visite Interne geneeskunde', {
        S: 'Minder benauwd dan gisteren, hoest nog productief.',
        O: 'Temp 38,1 °C, saturatie 94% met 2 l O2, crepitaties rechts basaal.',
        E: 'Pneumonie rechter onderkwab, klinisch licht verbeterd.',
        P: 'Ceftriaxon continueren, zuurstof afbouwen, morgen lab herhalen.',
      }),
      document('hz-jo-ontslagbrief-mst', 'johanna', 'mst', DISCHARGE, c.at(-174, 12), 'hz-mst-cardioloog-dijkstra', 'Ontslagbrief Cardiologie', [
        'Geachte collega Bakker,',
        'Uw patiente werd opgenomen wegens syncope bij een totaal AV-blok.',
        'Er werd een DDD-pacemaker geimplanteerd; het beloop was ongecompliceerd.',
        'Beleid: controle pacemakerpoli over zes maanden.',
        'Met vriendelijke groet, H. Dijkstra, cardioloog',
      ]),
      document('hz-jo-polibrief-zgt', 'johanna', 'zgt', OUTPATIENT, c.at(-30, 12), 'hz-zgt-internist-jansen', 'Brief polikliniek Interne geneeskunde', [
        'Geachte collega Bakker,',
        'Diabetes mellitus type 2 goed ingesteld, HbA1c 52 mmol/mol.',
        'Geen wijziging in het beleid.',
      ]),
      document('hz-jo-ontslagbrief-concept', 'johanna', 'zgt', DISCHARGE, c.at(-1, 16), 'hz-zgt-internist-jansen', 'Concept ontslagbrief (niet getoond)', ['Concept: nog niet geaccordeerd.'], 'preliminary'),
      document('hz-jo-verpleegkundig-verslag', 'johanna', 'zgt', NURSE_NOTE, c.at(-1, 7), 'hz-zgt-verpleegkundige-peters', 'Verpleegkundig verslag nachtdienst', [
        'Rustige nacht, 2 l zuurstof via neusbril, saturatie 93-95%.',
        'Mobiliseert met hulp naar het toilet. Contactisolatie (MRSA) gehandhaafd.',
      ]),
    ],
    hendrika: [
      document('hz-riek-mdo-geriatrie', 'hendrika', 'zgt', MDO, c.at(-88, 14), 'hz-zgt-chirurg-smit', 'MDO Ortho-geriatrie', [
        'Aanwezig: chirurg, klinisch geriater, fysiotherapeut, verpleegkundige.',
        'Conclusie: revalidatie in het verpleeghuis, niet reanimeren besproken en vastgelegd.',
      ]),
      document('hz-riek-ontslagbrief-zgt', 'hendrika', 'zgt', DISCHARGE, c.at(-84, 11), 'hz-zgt-chirurg-smit', 'Ontslagbrief Chirurgie', [
        'Geachte collega Visser,',
        'Mevrouw werd opgenomen met een mediale collumfractuur links; kophalsprothese geplaatst.',
        'Ontslag naar Verpleeghuis Het Wooldrik voor revalidatie.',
      ]),
    ],
  };
}
