import { org, person } from './directory.ts';
import { patientRef } from './patients.ts';
import { coding, concept, held, LOINC, sct, SCT, type Clock, type Hospital, type Json } from './context.ts';

/**
 * Dossier › Medische gegevens and Overige (seed 002 §2.4): allergies (a confirmed one, and an
 * unconfirmed one the portal does not show), problems, alcohol/tobacco/drugs, diagnoses with
 * their clinical status, devices (an implant, an inserted catheter, a wheelchair), functional
 * and mental status, alerts (an active infection risk, an ended one not shown), procedures,
 * nutrition advice and agreements, and a treatment limitation.
 */
const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const ALLERGY_CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
const ALLERGY_VERIFICATION = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification';

function allergy(id: string, patient: string, holder: Hospital, code: [string, string], verified: boolean, since: string): Json {
  return held(
    holder,
    {
      resourceType: 'AllergyIntolerance',
      id,
      clinicalStatus: concept(ALLERGY_CLINICAL, 'active', 'Active'),
      verificationStatus: verified
        ? concept(ALLERGY_VERIFICATION, 'confirmed', 'Confirmed')
        : concept(ALLERGY_VERIFICATION, 'unconfirmed', 'Unconfirmed'),
      category: ['medication'],
      criticality: 'high',
      code: sct(code[0], code[1]),
      patient: patientRef(patient),
      onsetDateTime: since,
      reaction: [{ manifestation: [sct('271807003', 'Huiduitslag')] }],
    },
    'nl-core-AllergyIntolerance',
  );
}

function condition(
  id: string,
  patient: string,
  holder: Hospital,
  kind: [string, string],
  code: [string, string],
  status: 'active' | 'resolved' | 'inactive',
  onset: string,
  abatement?: string,
): Json {
  return held(
    holder,
    {
      resourceType: 'Condition',
      id,
      clinicalStatus: concept(CLINICAL, status),
      verificationStatus: {
        coding: [coding(VERIFICATION, 'confirmed', 'Confirmed'), coding(SCT, '410605003', 'Bevestigd')],
      },
      category: [sct(kind[0], kind[1])],
      code: sct(code[0], code[1]),
      subject: patientRef(patient),
      onsetDateTime: onset,
      ...(abatement ? { abatementDateTime: abatement } : {}),
    },
    'nl-core-Problem',
  );
}
const PROBLEM: [string, string] = ['55607006', 'Probleem'];
const COMPLAINT: [string, string] = ['409586006', 'Klacht'];
const DIAGNOSIS: [string, string] = ['282291009', 'Diagnose'];

function observation(
  id: string,
  patient: string,
  holder: Hospital,
  profile: string,
  fields: Json,
): Json {
  return held(holder, { resourceType: 'Observation', id, status: 'final', subject: patientRef(patient), ...fields }, profile);
}

function device(id: string, patient: string, holder: Hospital, type: [string, string], since: string, site?: [string, string]): Json[] {
  return [
    held(
      holder,
      {
        resourceType: 'Device',
        id: `${id}-product`,
        type: sct(type[0], type[1]),
        patient: patientRef(patient),
      },
      'nl-core-MedicalDevice.Product',
    ),
    held(
      holder,
      {
        resourceType: 'DeviceUseStatement',
        id,
        status: 'active',
        subject: patientRef(patient),
        timingPeriod: { start: since },
        device: { reference: `Device/${id}-product`, display: type[1] },
        ...(site ? { bodySite: sct(site[0], site[1]) } : {}),
      },
      'nl-core-MedicalDevice',
    ),
  ];
}

function alert(id: string, patient: string, holder: Hospital, code: [string, string], start: string, end?: string): Json {
  return held(
    holder,
    {
      resourceType: 'Flag',
      id,
      status: end ? 'inactive' : 'active',
      category: [concept(LOINC, '75323-6', 'Condition')],
      code: sct(code[0], code[1]),
      subject: patientRef(patient),
      period: { start, ...(end ? { end } : {}) },
      author: org(holder),
    },
    'nl-core-Alert',
  );
}

function procedure(id: string, patient: string, holder: Hospital, code: [string, string], when: string, who: string): Json {
  return held(
    holder,
    {
      resourceType: 'Procedure',
      id,
      status: 'completed',
      code: sct(code[0], code[1]),
      subject: patientRef(patient),
      performedDateTime: when,
      performer: [{ actor: person(who), onBehalfOf: org(holder) }],
    },
    'nl-core-Procedure-event',
  );
}

function nutrition(id: string, patient: string, holder: Hospital, intent: 'proposal' | 'order', when: string, who: string, diet: string, note: string): Json {
  return held(
    holder,
    {
      resourceType: 'NutritionOrder',
      id,
      status: 'active',
      intent,
      patient: patientRef(patient),
      dateTime: when,
      orderer: person(who),
      oralDiet: { type: [{ text: diet }] },
      note: [{ text: note }],
    },
    'nl-core-NutritionAdvice',
  );
}

export function record(c: Clock): Record<string, Json[]> {
  return {
    johanna: [
      allergy('hz-jo-allergie-penicilline', 'johanna', 'zgt', ['764146007', 'Penicilline'], true, c.day(-3000)),
      allergy('hz-jo-allergie-latex-onbevestigd', 'johanna', 'zgt', ['111088007', 'Latex'], false, c.day(-2)),
      condition('hz-jo-hypertensie', 'johanna', 'zgt', PROBLEM, ['38341003', 'Hypertensie'], 'active', c.day(-3650)),
      condition('hz-jo-kortademig', 'johanna', 'zgt', COMPLAINT, ['267036007', 'Kortademigheid'], 'active', c.day(-4)),
      condition('hz-jo-pneumonie', 'johanna', 'zgt', DIAGNOSIS, ['233604007', 'Pneumonie'], 'active', c.day(-2)),
      condition('hz-jo-dm2', 'johanna', 'zgt', DIAGNOSIS, ['44054006', 'Diabetes mellitus type 2'], 'active', c.day(-2900)),
      condition('hz-jo-av-blok', 'johanna', 'mst', DIAGNOSIS, ['27885002', 'Totaal AV-blok'], 'resolved', c.day(-180), c.day(-178)),
      observation('hz-jo-alcohol', 'johanna', 'zgt', 'nl-core-AlcoholUse', {
        code: sct('228273003', 'Bevinding betreffende alcoholgebruik'),
        effectivePeriod: { start: c.day(-15000) },
        valueCodeableConcept: sct('219006', 'Drinkt alcohol'),
        component: [
          {
            code: sct('897148007', 'Inname van alcoholische drank'),
            valueQuantity: { value: 1, unit: 'eenheden per dag', system: 'http://unitsofmeasure.org', code: '{eenheden per dag}' },
          },
        ],
      }),
      observation('hz-jo-tabak', 'johanna', 'zgt', 'nl-core-TobaccoUse', {
        code: sct('365980008', 'Bevinding betreffende tabakgebruik'),
        effectivePeriod: { start: c.day(-18000), end: c.day(-5000) },
        valueCodeableConcept: sct('8517006', 'Ex-roker'),
      }),
      ...device('hz-jo-pacemaker', 'johanna', 'mst', ['14106009', 'Pacemaker'], c.day(-178), ['80891009', 'Hart']),
      alert('hz-jo-mrsa', 'johanna', 'zgt', ['712662001', 'MRSA-drager (isolatie: contactisolatie)'], c.day(-2)),
      alert('hz-jo-valrisico-oud', 'johanna', 'mst', ['129839007', 'Valrisico'], c.day(-180), c.day(-174)),
      procedure('hz-jo-echo-hart', 'johanna', 'mst', ['40701008', 'Echocardiografie'], c.at(-179, 11), 'hz-mst-cardioloog-dijkstra'),
      procedure('hz-jo-bloedkweek-afname', 'johanna', 'zgt', ['30088009', 'Bloedafname voor kweek'], c.at(-2, 9), 'hz-zgt-verpleegkundige-peters'),
      nutrition('hz-jo-dieet-afspraak', 'johanna', 'zgt', 'order', c.at(-2, 15), 'hz-zgt-internist-jansen', 'Diabetesdieet, 1800 kcal', 'Koolhydraatbeperkt tijdens de opname'),
      nutrition('hz-jo-dieet-advies', 'johanna', 'zgt', 'proposal', c.at(-1, 11), 'hz-zgt-verpleegkundige-peters', 'Eiwitverrijkt', 'Advies diëtist: extra eiwit na de pneumonie, 1,2 g/kg per dag'),
    ],
    willem: [
      condition('hz-wim-hartfalen', 'willem', 'mst', DIAGNOSIS, ['84114007', 'Hartfalen'], 'active', c.day(-5)),
      condition('hz-wim-af', 'willem', 'mst', DIAGNOSIS, ['49436004', 'Atriumfibrilleren'], 'active', c.day(-10)),
      alert('hz-wim-valrisico', 'willem', 'mst', ['129839007', 'Valrisico'], c.day(-5)),
    ],
    gerrit: [
      allergy('hz-gerrit-allergie-contrast', 'gerrit', 'mst', ['293637006', 'Jodiumhoudend contrastmiddel'], true, c.day(-400)),
      condition('hz-gerrit-mi', 'gerrit', 'mst', DIAGNOSIS, ['22298006', 'Myocardinfarct'], 'resolved', c.day(-400), c.day(-380)),
      observation('hz-gerrit-drugs', 'gerrit', 'mst', 'nl-core-DrugUse', {
        code: sct('228366006', 'Bevinding betreffende drugsgebruik'),
        effectivePeriod: { start: c.day(-8000) },
        valueCodeableConcept: sct('228367002', 'Gebruikt geen drugs'),
      }),
    ],
    hendrika: [
      condition('hz-riek-heupfractuur', 'hendrika', 'zgt', DIAGNOSIS, ['5913000', 'Heupfractuur'], 'resolved', c.day(-95), c.day(-60)),
      condition('hz-riek-dementie', 'hendrika', 'zgt', PROBLEM, ['52448006', 'Dementie'], 'active', c.day(-1500)),
      ...device('hz-riek-katheter', 'hendrika', 'zgt', ['19923001', 'Katheter (verblijfskatheter)'], c.day(-3), ['89837001', 'Blaas']),
      ...device('hz-riek-rolstoel', 'hendrika', 'zgt', ['58938008', 'Rolstoel'], c.day(-80)),
      observation('hz-riek-lopen', 'hendrika', 'zgt', 'nl-core-FunctionalOrMentalStatus', {
        category: [sct('118228005', 'Bevinding betreffende functioneren')],
        code: sct('282097004', 'Vermogen om te lopen'),
        effectiveDateTime: c.at(-84, 10),
        valueCodeableConcept: sct('719232003', 'Moeite met lopen'),
      }),
      observation('hz-riek-cognitie', 'hendrika', 'zgt', 'nl-core-FunctionalOrMentalStatus', {
        category: [sct('384821006', 'Bevinding betreffende mentale toestand')],
        code: sct('311465003', 'Cognitief functioneren'),
        effectiveDateTime: c.at(-3, 9),
        valueCodeableConcept: sct('386806002', 'Verminderde cognitie'),
      }),
      alert('hz-riek-valrisico', 'hendrika', 'zgt', ['129839007', 'Valrisico'], c.day(-95)),
      nutrition('hz-riek-slikadvies', 'hendrika', 'zgt', 'proposal', c.at(-86, 11), 'hz-zgt-chirurg-smit', 'Gemalen voeding, dikvloeibaar', 'Advies logopedie: verdikte dranken (slikproblemen)'),
      held(
        'zgt',
        {
          resourceType: 'Consent',
          id: 'hz-riek-niet-reanimeren',
          status: 'active',
          scope: concept('http://terminology.hl7.org/CodeSystem/consentscope', 'treatment', 'Treatment'),
          category: [sct('129125009', 'Behandelbeperking')],
          patient: patientRef('hendrika'),
          dateTime: c.day(-90),
          policy: [{ uri: 'https://wetten.overheid.nl/' }],
          provision: {
            type: 'deny',
            code: [sct('89666000', 'Cardiopulmonale reanimatie')],
          },
        },
        'nl-core-TreatmentDirective2',
      ),
    ],
  };
}
