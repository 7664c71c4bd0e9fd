import { AGB, BIG, concept, held, ORG_TYPE, ref, URA, UZI, UZI_ROLE, UZOVI, type Json } from './context.ts';

/**
 * The hospital portal's care network (seed 002): the two hospitals of Twente, the GP practices
 * and the GP out-of-hours post around them, a pharmacy, a dental practice, a nursing home and an
 * insurer, and the caregivers one logs in as. The numbers are made up (test ranges: URA and UZI
 * 9000…, AGB with the type's prefix, UZOVI 99xx).
 */
interface Org {
  id: string;
  name: string;
  type: [string, string];
  ura?: string;
  agb?: string;
  uzovi?: string;
  city: string;
  phone: string;
}

export const ORGANIZATIONS: Org[] = [
  { id: 'zgt', name: 'Ziekenhuisgroep Twente (ZGT)', type: ['V4', 'Ziekenhuis'], ura: '90009901', agb: '06019901', city: 'Almelo', phone: '088-7085000' },
  { id: 'mst', name: 'Medisch Spectrum Twente (MST)', type: ['V4', 'Ziekenhuis'], ura: '90009902', agb: '06019902', city: 'Enschede', phone: '053-4872000' },
  { id: 'hap-twente', name: 'Huisartsenpost Twente (demo)', type: ['HAP', 'Huisartsenpost'], ura: '90009903', agb: '01019903', city: 'Enschede', phone: '088-5551777' },
  { id: 'praktijk-roombeek', name: 'Huisartsenpraktijk Roombeek (demo)', type: ['Z3', 'Huisartspraktijk (zelfstandig of groepspraktijk)'], ura: '90009904', agb: '01019904', city: 'Enschede', phone: '053-4301010' },
  { id: 'praktijk-hengelo', name: 'Huisartsenpraktijk Hengelo-Noord (demo)', type: ['Z3', 'Huisartspraktijk (zelfstandig of groepspraktijk)'], ura: '90009905', agb: '01019905', city: 'Hengelo', phone: '074-2502020' },
  { id: 'apotheek-de-esch', name: 'Apotheek De Esch (demo)', type: ['J8', 'Openbare apotheek'], ura: '90009906', agb: '02019906', city: 'Enschede', phone: '053-4303030' },
  { id: 'tandarts-twekkelo', name: 'Tandartspraktijk Twekkelo (demo)', type: ['H1', 'Tandartspraktijk'], ura: '90009907', agb: '03019907', city: 'Enschede', phone: '053-4304040' },
  { id: 'verpleeghuis-het-wooldrik', name: 'Verpleeghuis Het Wooldrik (demo)', type: ['R5', 'Verpleeghuis'], ura: '90009908', agb: '73019908', city: 'Hengelo', phone: '074-2505050' },
  { id: 'zorgverzekeraar-oost', name: 'Zorgverzekeraar Oost (demo)', type: ['ZV', 'Zorgverzekeraar'], uzovi: '9901', city: 'Enschede', phone: '053-4306060' },
];

interface Person {
  id: string;
  given: string;
  family: string;
  prefix?: string;
  initials: string;
  gender: 'male' | 'female';
  uzi: string;
  big: string;
  org: string;
  role: [string, string];
  /** What the seed's summary says of them. */
  does: string;
}

export const PEOPLE: Person[] = [
  { id: 'hz-huisarts-bakker', given: 'Maarten', family: 'Bakker', initials: 'M.', gender: 'male', uzi: '900010001', big: '19010001001', org: 'praktijk-roombeek', role: ['01.015', 'Huisarts'], does: 'GP of Johanna Hendriks and Willem Mensink, with their consent' },
  { id: 'hz-huisarts-kok', given: 'Sanne', family: 'Kok', initials: 'S.', gender: 'female', uzi: '900010002', big: '19010002001', org: 'praktijk-hengelo', role: ['01.015', 'Huisarts'], does: 'GP of Gerrit Bosch, who gave no consent' },
  { id: 'hz-hap-arts-mulder', given: 'Pieter', family: 'Mulder', initials: 'P.', gender: 'male', uzi: '900010003', big: '19010003001', org: 'hap-twente', role: ['01.015', 'Huisarts'], does: 'doctor at the GP post: no relationship, break-the-glass only' },
  { id: 'hz-so-visser', given: 'Ellen', family: 'Visser', initials: 'E.', gender: 'female', uzi: '900010004', big: '19010004001', org: 'verpleeghuis-het-wooldrik', role: ['01.047', 'Specialist ouderengeneeskunde'], does: 'elderly-care physician of Hendrika Nijhuis (episode of care), with her consent' },
  { id: 'hz-zgt-internist-jansen', given: 'Ruud', family: 'Jansen', initials: 'R.', gender: 'male', uzi: '900010011', big: '19010011001', org: 'zgt', role: ['01.016', 'Internist'], does: 'internist at ZGT' },
  { id: 'hz-zgt-chirurg-smit', given: 'Lotte', family: 'Smit', initials: 'L.', gender: 'female', uzi: '900010012', big: '19010012001', org: 'zgt', role: ['01.014', 'Chirurg'], does: 'surgeon at ZGT' },
  { id: 'hz-zgt-verpleegkundige-peters', given: 'Anouk', family: 'Peters', initials: 'A.', gender: 'female', uzi: '900010013', big: '79010013001', org: 'zgt', role: ['30.000', 'Verpleegkundige'], does: 'nurse at ZGT' },
  { id: 'hz-mst-cardioloog-dijkstra', given: 'Hans', family: 'Dijkstra', initials: 'H.', gender: 'male', uzi: '900010021', big: '19010021001', org: 'mst', role: ['01.010', 'Cardioloog'], does: 'cardiologist at MST' },
  { id: 'hz-mst-radioloog-brouwer', given: 'Femke', family: 'Brouwer', initials: 'F.', gender: 'female', uzi: '900010022', big: '19010022001', org: 'mst', role: ['01.039', 'Radioloog'], does: 'radiologist at MST' },
];

export const person = (id: string) => {
  const p = PEOPLE.find((x) => x.id === id);
  if (!p) throw new Error(`no such person ${id}`);
  return ref(`Practitioner/${p.id}`, `${p.initials} ${p.family}`);
};
export const role = (id: string) => ref(`PractitionerRole/${id}-role`);
export const org = (id: string) => {
  const o = ORGANIZATIONS.find((x) => x.id === id);
  if (!o) throw new Error(`no such organisation ${id}`);
  return ref(`Organization/${o.id}`, o.name);
};

function organization(o: Org): Json {
  const insurer = o.uzovi !== undefined;
  return held(
    o.id,
    {
      resourceType: 'Organization',
      id: o.id,
      active: true,
      identifier: [
        ...(o.ura ? [{ system: URA, value: o.ura }] : []),
        ...(o.agb ? [{ system: AGB, value: o.agb }] : []),
        ...(o.uzovi ? [{ system: UZOVI, value: o.uzovi }] : []),
      ],
      type: [concept(ORG_TYPE, o.type[0], o.type[1])],
      name: o.name,
      telecom: [{ system: 'phone', value: o.phone, use: 'work' }],
      address: [{ use: 'work', type: 'both', city: o.city, country: 'NL' }],
    },
    insurer ? 'nl-core-Payer-Organization' : 'nl-core-HealthcareProvider-Organization',
  );
}

function practitioner(p: Person): Json[] {
  return [
    held(
      p.org,
      {
        resourceType: 'Practitioner',
        id: p.id,
        active: true,
        identifier: [
          { system: UZI, value: p.uzi },
          { system: BIG, value: p.big },
        ],
        name: [
          {
            use: 'official',
            text: `${p.given} ${p.family}`,
            family: p.family,
            given: [p.given],
            _given: [{ extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-qualifier', valueCode: 'BR' }] }],
          },
        ],
        gender: p.gender,
        telecom: [{ system: 'email', value: `${p.id}@demo.zorgpoort.invalid`, use: 'work' }],
      },
      'nl-core-HealthProfessional-Practitioner',
    ),
    held(
      p.org,
      {
        resourceType: 'PractitionerRole',
        id: `${p.id}-role`,
        active: true,
        practitioner: person(p.id),
        organization: org(p.org),
        code: [concept(UZI_ROLE, p.role[0], p.role[1])],
      },
      'nl-core-HealthProfessional-PractitionerRole',
    ),
  ];
}

/** The directory: organisations, caregivers and their roles. */
export function directory(): Json[] {
  return [...ORGANIZATIONS.map(organization), ...PEOPLE.flatMap(practitioner)];
}
