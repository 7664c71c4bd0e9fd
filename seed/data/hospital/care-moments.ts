import { org, person } from './directory.ts';
import { patientRef } from './patients.ts';
import { concept, held, sct, V3_ACT, type Clock, type Hospital, type Json } from './context.ts';

/**
 * Zorgmomenten (seed 002 §2.3): admissions (one in progress per hospital, past ones), ER
 * registrations inside and outside the last 7 days, appointments past and future, operations
 * (planned, done, on the waiting list with an appointment, and one without that the portal does
 * not show yet), and referrals (one open, one completed that is not shown).
 */
const CLASS = {
  IMP: { system: V3_ACT, code: 'IMP', display: 'inpatient encounter' },
  EMER: { system: V3_ACT, code: 'EMER', display: 'emergency' },
  AMB: { system: V3_ACT, code: 'AMB', display: 'ambulatory' },
};
const SURGICAL = sct('387713003', 'Chirurgische verrichting');
const REFERRAL = sct('3457005', 'Verwijzing');

interface EncounterSpec {
  id: string;
  patient: string;
  hospital: Hospital;
  cls: keyof typeof CLASS;
  start: string;
  end?: string;
  who: string;
  reason: [string, string];
  department: [string, string];
}

function encounter(e: EncounterSpec): Json {
  return held(
    e.hospital,
    {
      resourceType: 'Encounter',
      id: e.id,
      status: e.end ? 'finished' : 'in-progress',
      class: CLASS[e.cls],
      type: [sct(e.department[0], e.department[1])],
      subject: patientRef(e.patient),
      participant: [{ individual: person(e.who) }],
      period: { start: e.start, ...(e.end ? { end: e.end } : {}) },
      reasonCode: [sct(e.reason[0], e.reason[1])],
      ...(e.cls === 'IMP' && e.end
        ? {
            hospitalization: {
              dischargeDisposition: concept('urn:oid:2.16.840.1.113883.2.4.3.11.60.40.4.4.1', '1', 'Eigen woonomgeving'),
            },
          }
        : {}),
      serviceProvider: org(e.hospital),
    },
    'nl-core-Encounter',
  );
}

function appointment(
  id: string,
  patient: string,
  hospital: Hospital,
  who: string,
  start: string,
  minutes: number,
  status: string,
  description: string,
  basedOn?: string,
): Json {
  const end = new Date(Date.parse(start) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
  return held(hospital, {
    resourceType: 'Appointment',
    id,
    status,
    description,
    start,
    end,
    ...(basedOn ? { basedOn: [{ reference: basedOn }] } : {}),
    participant: [
      { actor: patientRef(patient), status: 'accepted' },
      { actor: person(who), status: 'accepted' },
    ],
  });
}

function surgery(
  id: string,
  patient: string,
  hospital: Hospital,
  status: 'preparation' | 'completed',
  code: [string, string],
  when: string,
  surgeon: string,
): Json {
  return held(
    hospital,
    {
      resourceType: 'Procedure',
      id,
      status,
      category: SURGICAL,
      code: sct(code[0], code[1]),
      subject: patientRef(patient),
      performedDateTime: when,
      performer: [{ actor: person(surgeon), onBehalfOf: org(hospital) }],
    },
    'nl-core-Procedure-event',
  );
}

function request(
  id: string,
  patient: string,
  holder: string,
  category: Json,
  code: [string, string],
  status: 'active' | 'completed',
  authoredOn: string,
  requester: string,
  performer: Json,
): Json {
  return held(
    holder,
    {
      resourceType: 'ServiceRequest',
      id,
      status,
      intent: 'order',
      category: [category],
      code: sct(code[0], code[1]),
      subject: patientRef(patient),
      authoredOn,
      requester: person(requester),
      performer: [performer],
    },
    'nl-core-Procedure-request',
  );
}

export function careMoments(c: Clock): Record<string, Json[]> {
  return {
    johanna: [
      encounter({ id: 'hz-jo-seh-zgt', patient: 'johanna', hospital: 'zgt', cls: 'EMER', start: c.at(-2, 8, 30), end: c.at(-2, 13), who: 'hz-zgt-internist-jansen', reason: ['267036007', 'Dyspneu'], department: ['225728007', 'Spoedeisende hulp'] }),
      encounter({ id: 'hz-jo-opname-zgt', patient: 'johanna', hospital: 'zgt', cls: 'IMP', start: c.at(-2, 13), who: 'hz-zgt-internist-jansen', reason: ['233604007', 'Pneumonie'], department: ['394802001', 'Interne geneeskunde'] }),
      encounter({ id: 'hz-jo-seh-mst', patient: 'johanna', hospital: 'mst', cls: 'EMER', start: c.at(-181, 22), end: c.at(-180, 2), who: 'hz-mst-cardioloog-dijkstra', reason: ['271594007', 'Syncope'], department: ['225728007', 'Spoedeisende hulp'] }),
      encounter({ id: 'hz-jo-opname-mst', patient: 'johanna', hospital: 'mst', cls: 'IMP', start: c.at(-180, 2), end: c.at(-174, 11), who: 'hz-mst-cardioloog-dijkstra', reason: ['27885002', 'Totaal AV-blok'], department: ['394579002', 'Cardiologie'] }),
      appointment('hz-jo-afspraak-poli-zgt', 'johanna', 'zgt', 'hz-zgt-internist-jansen', c.at(-30, 10, 15), 20, 'fulfilled', 'Polikliniek Interne geneeskunde, controle'),
      appointment('hz-jo-afspraak-longarts-zgt', 'johanna', 'zgt', 'hz-zgt-internist-jansen', c.at(14, 9, 30), 20, 'booked', 'Polikliniek Longziekten, na ontslag'),
      appointment('hz-jo-afspraak-pacemaker-mst', 'johanna', 'mst', 'hz-mst-cardioloog-dijkstra', c.at(45, 11), 30, 'booked', 'Pacemakercontrole Cardiologie'),
      appointment('hz-jo-afspraak-voorstel-zgt', 'johanna', 'zgt', 'hz-zgt-chirurg-smit', c.at(70, 9), 15, 'proposed', 'Voorstel: telefonisch consult (nog niet bevestigd; niet getoond)'),
      surgery('hz-jo-ok-pacemaker', 'johanna', 'mst', 'completed', ['307280005', 'Implantatie van pacemaker'], c.at(-178, 10), 'hz-mst-cardioloog-dijkstra'),
      surgery('hz-jo-ok-galblaas', 'johanna', 'zgt', 'preparation', ['45595009', 'Laparoscopische cholecystectomie'], c.at(40, 8), 'hz-zgt-chirurg-smit'),
      request('hz-jo-wachtlijst-staar', 'johanna', 'zgt', SURGICAL, ['54885007', 'Staaroperatie'], 'active', c.at(-60, 11), 'hz-zgt-chirurg-smit', org('zgt')),
      appointment('hz-jo-afspraak-staar', 'johanna', 'zgt', 'hz-zgt-chirurg-smit', c.at(60, 8), 45, 'booked', 'Staaroperatie rechteroog (dagbehandeling)', 'ServiceRequest/hz-jo-wachtlijst-staar'),
      request('hz-jo-wachtlijst-liesbreuk', 'johanna', 'zgt', SURGICAL, ['44558001', 'Herstel van liesbreuk'], 'active', c.at(-20, 11), 'hz-zgt-chirurg-smit', org('zgt')),
      request('hz-jo-verwijzing-longarts', 'johanna', 'zgt', REFERRAL, ['306134003', 'Verwijzing naar longarts'], 'active', c.at(-40, 15), 'hz-huisarts-bakker', org('zgt')),
      request('hz-jo-verwijzing-cardioloog', 'johanna', 'mst', REFERRAL, ['306133009', 'Verwijzing naar cardioloog'], 'completed', c.at(-200, 15), 'hz-huisarts-bakker', org('mst')),
    ],
    willem: [
      encounter({ id: 'hz-wim-seh-mst', patient: 'willem', hospital: 'mst', cls: 'EMER', start: c.at(-10, 19), end: c.at(-10, 23), who: 'hz-mst-cardioloog-dijkstra', reason: ['49436004', 'Atriumfibrilleren'], department: ['225728007', 'Spoedeisende hulp'] }),
      encounter({ id: 'hz-wim-opname-mst', patient: 'willem', hospital: 'mst', cls: 'IMP', start: c.at(-5, 11), who: 'hz-mst-cardioloog-dijkstra', reason: ['84114007', 'Hartfalen'], department: ['394579002', 'Cardiologie'] }),
      appointment('hz-wim-afspraak-cardio-mst', 'willem', 'mst', 'hz-mst-cardioloog-dijkstra', c.at(-60, 14), 20, 'fulfilled', 'Polikliniek Cardiologie'),
    ],
    gerrit: [
      encounter({ id: 'hz-gerrit-seh-mst', patient: 'gerrit', hospital: 'mst', cls: 'EMER', start: c.at(-20, 16), end: c.at(-20, 19), who: 'hz-mst-cardioloog-dijkstra', reason: ['29857009', 'Pijn op de borst'], department: ['225728007', 'Spoedeisende hulp'] }),
      encounter({ id: 'hz-gerrit-opname-mst', patient: 'gerrit', hospital: 'mst', cls: 'IMP', start: c.at(-400, 10), end: c.at(-397, 12), who: 'hz-mst-cardioloog-dijkstra', reason: ['22298006', 'Myocardinfarct'], department: ['394579002', 'Cardiologie'] }),
      appointment('hz-gerrit-afspraak-cardio-mst', 'gerrit', 'mst', 'hz-mst-cardioloog-dijkstra', c.at(21, 10), 20, 'booked', 'Polikliniek Cardiologie, jaarcontrole'),
    ],
    hendrika: [
      encounter({ id: 'hz-riek-seh-zgt', patient: 'hendrika', hospital: 'zgt', cls: 'EMER', start: c.at(-3, 6, 45), end: c.at(-3, 10), who: 'hz-zgt-chirurg-smit', reason: ['1912002', 'Val'], department: ['225728007', 'Spoedeisende hulp'] }),
      encounter({ id: 'hz-riek-opname-zgt', patient: 'hendrika', hospital: 'zgt', cls: 'IMP', start: c.at(-95, 14), end: c.at(-84, 11), who: 'hz-zgt-chirurg-smit', reason: ['5913000', 'Heupfractuur'], department: ['394609007', 'Chirurgie'] }),
      surgery('hz-riek-ok-heup', 'hendrika', 'zgt', 'completed', ['179344006', 'Kophalsprothese heup'], c.at(-94, 9), 'hz-zgt-chirurg-smit'),
      appointment('hz-riek-afspraak-chirurgie-zgt', 'hendrika', 'zgt', 'hz-zgt-chirurg-smit', c.at(10, 13, 30), 15, 'booked', 'Polikliniek Chirurgie, controle heup'),
    ],
  };
}
