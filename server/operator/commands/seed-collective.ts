import { BSN_SYSTEM } from '../../auth/find-by-identifier.ts';
import { ORGANIZATION_TYPE_SYSTEM } from '../../domain/collective/create-collective.ts';
import { GRN_SYSTEM, ZRN_SYSTEM } from '../../domain/collective/vocabulary.ts';
import { BUILT_IN_TEMPLATES } from '../../domain/collective/plan-templates.ts';
import type { CommandContext } from '../command.ts';

/** The seed's REST client (a temporary trusted backend client, see seed.ts). */
export interface SeedApi {
  json<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

// FHIR JSON as the server answers it: the seed reads a few known fields of each.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const ZRN = ZRN_SYSTEM;
const GRN = GRN_SYSTEM;
const BSN = BSN_SYSTEM;
const COLLECTIVE_TYPE = `${ORGANIZATION_TYPE_SYSTEM}|care-collective`;
const DEMO = 'Zorgcollectief De Linde (demo)';
const OTHER = 'Zorgcollectief Ziekenhuis Oost (demo)';
/** The patient's own entries (PGD), as the server labels a patient's writes. */
const PATAST = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'PATAST' };

const PEOPLE = [
  { key: 'ada', given: 'Ada', family: 'Admin', does: 'administrator' },
  { key: 'bert', given: 'Bert', family: 'Beheer', does: 'beheerder' },
  { key: 'carla', given: 'Carla', family: 'Smit', does: 'casemanager (POH)' },
  { key: 'dirk', given: 'Dirk', family: 'Dermaat', does: 'dermatoloog, group Dermatologie' },
  { key: 'eva', given: 'Eva', family: 'Verpleeg', does: 'wijkverpleegkundige, group Wijkteam' },
  { key: 'frank', given: 'Frank', family: 'Fysio', does: 'fysiotherapeut, group Wijkteam' },
  { key: 'gijs', given: 'Gijs', family: 'Internist', does: `of ${OTHER}, in group Wijkteam (transmural)` },
  { key: 'hanna', given: 'Hanna', family: 'Oost', does: `administrator and beheerder of ${OTHER}` },
] as const;
type Person = (typeof PEOPLE)[number]['key'];

const parameters = (values: Record<string, string | boolean | string[]>) => ({
  resourceType: 'Parameters',
  parameter: Object.entries(values).flatMap(([name, v]): Json[] =>
    Array.isArray(v)
      ? v.map((x) => ({ name, valueString: x }))
      : typeof v === 'boolean'
        ? [{ name, valueBoolean: v }]
        : [{ name, valueString: v }],
  ),
});
const out = (body: Json, name: string) => {
  const p = (body.parameter ?? []).find((x: Json) => x.name === name);
  return (p?.valueString ?? p?.valueReference?.reference ?? p?.valueCode) as string;
};
const idOf = (ref: string) => ref.split('/')[1]!;

/**
 * The demo care collective of seeds 000/001, made through its own operations: every role, two
 * caregiver groups (one with a caregiver of another collective), and plans in every state — active
 * and activated (with PGD entries, messages and a report), active waiting for activation (with a
 * pending invitation), a draft without BSN, and a stopped one. Made once: a second run prints it.
 */
export async function seedCollective(api: SeedApi, out_: CommandContext['out']): Promise<number> {
  const call = async (method: string, path: string, body?: unknown, expect = [200, 201]) => {
    const res = await api.json<Json>(method, path, body);
    if (!expect.includes(res.status)) {
      const why = (res.body.issue ?? []).map((i: Json) => i.diagnostics).join('; ');
      throw new Error(`${method} ${path}: ${res.status} ${why}`);
    }
    return res.body;
  };
  const find = async (query: string) =>
    ((await call('GET', query)).entry ?? []).map((e: Json) => e.resource as Json);

  let [collective] = await find(
    `Organization?type=${encodeURIComponent(COLLECTIVE_TYPE)}&name:exact=${encodeURIComponent(DEMO)}`,
  );
  let created = 0;
  if (!collective) {
    const ids = {} as Record<Person, string>;
    const zrn = {} as Record<Person, string>;
    for (const p of PEOPLE) {
      const practitioner = await call(
        'POST',
        'Practitioner/$register',
        parameters({ given: p.given, family: p.family, email: `${p.key}@demo.zorgpoort.invalid` }),
      );
      ids[p.key] = practitioner.id;
      zrn[p.key] = practitioner.identifier.find((i: Json) => i.system === ZRN).value;
    }
    const op = (path: string, values: Record<string, string | boolean | string[]>) =>
      call('POST', path, parameters(values));
    collective = await op('Organization/$create-collective', { name: DEMO, administrator: zrn.ada });
    const c = `Organization/${collective.id as string}`;
    const other = await op('Organization/$create-collective', { name: OTHER, administrator: zrn.hanna });
    const o = `Organization/${other.id as string}`;
    await op(`${c}/$set-role`, { zrn: zrn.bert, role: 'beheerder', value: true });
    await op(`${o}/$set-role`, { zrn: zrn.hanna, role: 'beheerder', value: true });
    await op(`${c}/$add-caregiver`, { zrn: zrn.carla, casemanager: true });
    for (const who of ['dirk', 'eva', 'frank'] as const) await op(`${c}/$add-caregiver`, { zrn: zrn[who] });
    await op(`${o}/$add-caregiver`, { zrn: zrn.gijs });
    const wijkteam = await op(`${c}/$create-group`, {
      name: 'Wijkteam',
      zrn: [zrn.eva, zrn.frank, zrn.gijs],
    });
    const dermatologie = await op(`${c}/$create-group`, { name: 'Dermatologie', zrn: [zrn.dirk] });
    const grn = (g: Json) => g.identifier.find((i: Json) => i.system === GRN).value as string;

    // The built-in plan templates, stored so they can be read like any PlanDefinition.
    for (const template of BUILT_IN_TEMPLATES.values()) {
      await call('PUT', `PlanDefinition/${template.id as string}`, template);
    }
    const start = (template: string, patient: Record<string, string>, title?: string) =>
      op(`${c}/$start-plan`, { template, ...(title ? { title } : {}), casemanager: zrn.carla, ...patient });
    const demoPatient = async (bsn: string) => {
      const [p] = await find(`Patient?identifier=${encodeURIComponent(`${BSN}|${bsn}`)}`);
      const name = (p?.name?.[0] ?? {}) as { family?: string; given?: string[] };
      return {
        bsn,
        family: name.family ?? 'Demo',
        given: name.given?.[0] ?? 'Demo',
        birthDate: p?.birthDate ?? '1970-01-01',
        gender: p?.gender ?? 'unknown',
      };
    };

    // 1. Active and activated: groups, PGD entries, messages, a report.
    const psoriasis = await start('psoriasis', await demoPatient('999990007'));
    const plan1 = idOf(out(psoriasis, 'carePlan'));
    const patient1 = idOf(out(psoriasis, 'patient'));
    await op(`CarePlan/${plan1}/$add-participant`, { grn: grn(dermatologie) });
    await op(`CarePlan/${plan1}/$add-participant`, { grn: grn(wijkteam) });
    await op('CarePlan/$activate', {
      code: out(psoriasis, 'activationCode'),
      patient: `Patient/${patient1}`,
    });
    const subject = { reference: `Patient/${patient1}` };
    const pgd = { meta: { security: [PATAST] } };
    const records: Json[] = [
      {
        resourceType: 'AllergyIntolerance',
        ...pgd,
        patient: subject,
        code: { text: 'Pinda' },
        criticality: 'high',
      },
      {
        resourceType: 'MedicationStatement',
        ...pgd,
        status: 'active',
        subject,
        medicationCodeableConcept: { text: 'Calcipotriol zalf' },
      },
      {
        resourceType: 'Observation',
        ...pgd,
        status: 'final',
        subject,
        code: { coding: [{ system: 'http://loinc.org', code: '882-1', display: 'ABO and Rh group' }] },
        valueCodeableConcept: { text: 'A positief' },
      },
      {
        resourceType: 'Communication',
        status: 'completed',
        subject,
        basedOn: [{ reference: `CarePlan/${plan1}` }],
        sender: { reference: `Practitioner/${ids.carla}` },
        recipient: [{ reference: `Practitioner/${ids.dirk}` }],
        sent: new Date().toISOString(),
        payload: [{ contentString: 'Dirk, wil jij de zalf evalueren bij de volgende controle?' }],
      },
      {
        resourceType: 'Communication',
        status: 'completed',
        subject,
        basedOn: [{ reference: `CarePlan/${plan1}` }],
        sender: subject,
        recipient: [{ reference: `Practitioner/${ids.carla}` }],
        sent: new Date().toISOString(),
        payload: [{ contentString: 'De jeuk is minder sinds de nieuwe zalf.' }],
      },
      {
        resourceType: 'DocumentReference',
        status: 'current',
        subject,
        context: { related: [{ reference: `CarePlan/${plan1}` }] },
        author: [{ reference: `Practitioner/${ids.dirk}` }],
        description: 'Verslag controle psoriasis',
        content: [
          {
            attachment: {
              contentType: 'text/plain',
              data: Buffer.from('Huid rustig; zalf continueren.').toString('base64'),
            },
          },
        ],
      },
      {
        resourceType: 'Goal',
        lifecycleStatus: 'active',
        subject,
        description: { text: 'Minder jeuk; slapen zonder krabben' },
      },
      {
        resourceType: 'Task',
        status: 'requested',
        intent: 'plan',
        basedOn: [{ reference: `CarePlan/${plan1}` }],
        for: subject,
        owner: subject,
        description: 'Elke avond de zalf aanbrengen en een foto maken bij verandering',
      },
    ];
    for (const r of records) await call('POST', r.resourceType as string, r);

    // 2. Active with BSN, waiting for activation (the PGD still hidden), an invitation pending.
    const diabetes = await start('diabetes', await demoPatient('999990019'));
    await op(`CarePlan/${idOf(out(diabetes, 'carePlan'))}/$add-participant`, { zrn: zrn.dirk });

    // 3. A draft without BSN: nobody uses it before the patient activates it.
    await start(
      'dermatology',
      {
        family: 'Bakker',
        given: 'Bo',
        birthDate: '1990-04-12',
        gender: 'female',
        email: 'bo@demo.zorgpoort.invalid',
      },
      'Eczeem',
    );

    // 4. Stopped.
    const acne = await start('acne', await demoPatient('999990020'));
    await call('POST', `CarePlan/${idOf(out(acne, 'carePlan'))}/$stop`);
    created = PEOPLE.length + 2 + 2 + 4 + records.length;
  }
  await printCollective(call, find, collective, out_);
  return created;
}

async function printCollective(
  call: (method: string, path: string, body?: unknown) => Promise<Json>,
  find: (query: string) => Promise<Json[]>,
  collective: Json,
  out_: CommandContext['out'],
) {
  const c = `Organization/${collective.id as string}`;
  const members = await find(
    `PractitionerRole?organization=${c}&_include=PractitionerRole:practitioner&_count=100`,
  );
  const practitioners = await find(`Practitioner?identifier=${encodeURIComponent(`${ZRN}|`)}&_count=100`);
  out_.result('');
  out_.result(`Care collective ${DEMO} (${c}):`);
  for (const p of practitioners.filter((x) => x.telecom?.[0]?.value?.endsWith('@demo.zorgpoort.invalid'))) {
    const key = (p.telecom[0].value as string).split('@')[0];
    const person = PEOPLE.find((x) => x.key === key);
    const roles = members
      .filter(
        (m) =>
          m.resourceType === 'PractitionerRole' &&
          m.practitioner?.reference === `Practitioner/${p.id}` &&
          m.active !== false,
      )
      .flatMap((m) => (m.code ?? []).map((k: Json) => k.coding[0].code));
    const name = `${p.name[0].given[0]} ${p.name[0].family}`;
    const zrn = p.identifier.find((i: Json) => i.system === ZRN).value as string;
    out_.result(
      `  ${name.padEnd(15)} Practitioner/${p.id}  ZRN ${zrn}  ${person?.does ?? ''}${roles.length ? ` [${roles.join(', ')}]` : ''}`,
    );
  }
  const waiting = await call('GET', `${c}/$waiting-for-activation`);
  out_.result('');
  out_.result('Plans waiting for activation (the patient enters the code with POST CarePlan/$activate):');
  for (const row of waiting.parameter ?? []) {
    const part = (n: string) => row.part.find((x: Json) => x.name === n);
    out_.result(
      `  ${String(part('title').valueString).padEnd(10)} ${part('carePlan').valueReference.reference}  ${part('status').valueCode}  ` +
        `${part('patientName').valueString}  code ${part('activationCode').valueString}`,
    );
  }
  out_.result('');
  out_.result(
    `Log in as them like the caregivers above (DEV_LOGIN=on, "Development login", the Practitioner reference); ` +
      `server/domain/collective/README.md has each flow.`,
  );
}
