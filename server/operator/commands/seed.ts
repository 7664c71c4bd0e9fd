import { readdirSync, readFileSync } from 'node:fs';
import type { Bundle, BundleEntry, Patient, Resource } from 'fhir/r4.js';
import { CUSTODIAN_SYSTEM } from '../../access/rules/treatment-relationship.ts';
import { parseFhirJson } from '../../fhir/format/json.ts';
import type { CommandContext, OperatorCommand } from '../command.ts';
import { seedCollective, type SeedApi } from './seed-collective.ts';
import { seedHospital } from './seed-hospital.ts';
import { seedReferrals } from './seed-referrals.ts';
import { seedPractice } from './seed-practice.ts';
import { BSN, nameOf, outcomeText, printPeople, temporaryClient } from './seed-support.ts';

const NETWORK = new URL('../../../seed/data/network.json', import.meta.url);
const SYNTHEA = new URL('../../../test/fixtures/synthea/', import.meta.url);
/** The demo sets besides the default one: `npm run seed -- <set>`. */
export const SEED_SETS = ['hospital', 'referrals', 'practice'] as const;
export type SeedSet = (typeof SEED_SETS)[number];
/** Test BSNs (they pass the 11-test; the 99999xxxx range is never issued to a person). */
const DEMO_BSNS = [
  '999990007',
  '999990019',
  '999990020',
  '999990032',
  '999990044',
  '999990056',
  '999990068',
  '999990081',
  '999990093',
  '999990111',
];
const slug = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[^A-Za-z ]/g, '')
    .trim()
    .toLowerCase()
    .replace(/ +/g, '-');

/**
 * A Synthea patient made Dutch enough for the demo: a BSN, the demo practice's GP, and an id one
 * can type at a login (`Patient/demo-alfreda-wyman`; the other entries refer to it by fullUrl).
 * The practice holds the record (its custodian tag), so the GP reads it through the treatment
 * relationship alone; anyone else needs the patient's consent too (server/access/README.md).
 */
function dutchPatient(bundle: Bundle, bsn: string): Bundle {
  for (const entry of bundle.entry ?? []) {
    const resource = entry.resource as Resource | undefined;
    if (resource) {
      const tags = (resource.meta?.tag ?? []).filter((t) => t.system !== CUSTODIAN_SYSTEM);
      resource.meta = {
        ...resource.meta,
        tag: [...tags, { system: CUSTODIAN_SYSTEM, code: 'demo-praktijk' }],
      };
    }
    const patient = entry.resource as Patient | undefined;
    if (patient?.resourceType !== 'Patient') continue;
    patient.id = `demo-${slug(nameOf(patient))}`.slice(0, 64);
    entry.request = { method: 'PUT', url: `Patient/${patient.id}` };
    patient.identifier = [{ system: BSN, value: bsn }, ...(patient.identifier ?? [])];
    patient.generalPractitioner = [
      { reference: 'Practitioner/demo-huisarts', display: 'Anna de Vries' },
      { reference: 'Organization/demo-praktijk', display: 'Huisartsenpraktijk De Linde (demo)' },
    ];
  }
  return bundle;
}

/**
 * The default set: the demo care network (organisations, caregivers with UZI numbers and roles),
 * ten Synthea patients with test BSNs and the demo GP, and the demo care collective
 * (seed-collective.ts). Returns how many resources it loaded; a failed patient is in `failures`.
 */
async function seedNetwork(api: SeedApi, out: CommandContext['out'], failures: string[]): Promise<number> {
  let loaded = 0;
  const network = await api.json<Bundle>('POST', '', readFileSync(NETWORK, 'utf8'));
  if (network.status !== 200) throw new Error(`network.json: ${network.status} ${outcomeText(network.body)}`);
  loaded += network.body.entry?.length ?? 0;
  out.note(`care network: ${network.body.entry?.length ?? 0} resources (organisations, caregivers, roles)`);

  // Each patient once: a transaction is all or nothing, so a patient is there whole or not at all.
  const files = readdirSync(SYNTHEA)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .slice(0, DEMO_BSNS.length);
  const missing: { file: string; bundle: Bundle }[] = [];
  for (const [i, file] of files.entries()) {
    const bsn = DEMO_BSNS[i]!;
    const present = await api.json<Bundle>(
      'GET',
      `Patient?identifier=${encodeURIComponent(`${BSN}|${bsn}`)}&_summary=count`,
    );
    if (!present.body.total) {
      const bundle = parseFhirJson(readFileSync(new URL(file, SYNTHEA), 'utf8')) as Bundle;
      missing.push({ file, bundle: dutchPatient(bundle, bsn) });
    }
  }
  if (missing.length < files.length) {
    out.note(`${files.length - missing.length} of the ${files.length} demo patients are already loaded`);
  }
  const total = missing.reduce((n, m) => n + (m.bundle.entry?.length ?? 0), 0);
  const progress = out.progress('patients', total);
  if (!missing.length) progress.stop();
  let done = 0;
  try {
    for (const { file, bundle } of missing) {
      const res = await api.json<{ entry?: BundleEntry[] }>('POST', '', bundle);
      done += bundle.entry?.length ?? 0;
      if (res.status === 200) loaded += res.body.entry?.length ?? 0;
      else failures.push(`${file}: ${res.status} ${outcomeText(res.body)}`);
      progress.update(done);
    }
  } finally {
    progress.stop();
  }
  await printPeople(api, out);
  loaded += await seedCollective(api, out);
  return loaded;
}

/**
 * `npm run seed [-- <set>]`, loaded through the real REST path by a temporary trusted backend
 * client: without a set the network above; `hospital` the hospital portal's demo (seed 002,
 * seed-hospital.ts); `referrals` the referral platform's (seed 003, seed-referrals.ts); `practice` the GP
 * practice's patient portal (seed 004, seed-practice.ts). Running either again changes nothing: what is PUT is unchanged, and the
 * Synthea patients are loaded once.
 */
export const seedCommand: OperatorCommand<{ set?: SeedSet }> = {
  name: 'seed',
  needs: 'server',
  parse: (input) => {
    const set = (input as { set?: unknown } | undefined)?.set;
    if (set === undefined) return {};
    if (typeof set !== 'string' || !(SEED_SETS as readonly string[]).includes(set)) {
      throw new Error(
        `unknown seed set '${String(set)}' (known: ${SEED_SETS.join(', ')}; none for the default)`,
      );
    }
    return { set: set as SeedSet };
  },
  async execute(input, context) {
    const { out } = context;
    const started = Date.now();
    const { api, revoke } = await temporaryClient(context);
    let loaded = 0;
    const failures: string[] = [];
    try {
      loaded +=
        input.set === 'hospital'
          ? await seedHospital(api, out, failures)
          : input.set === 'referrals'
            ? await seedReferrals(api, out, failures)
            : input.set === 'practice'
              ? await seedPractice(api, out, failures)
              : await seedNetwork(api, out, failures);
    } finally {
      await revoke();
    }
    for (const f of failures) out.note(`failed: ${f}`);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    out.note(
      `seeded ${loaded.toLocaleString('en')} resources into ${context.db.kind} in ${seconds} s` +
        (failures.length ? `; ${failures.length} bundle(s) failed` : ''),
    );
    return failures.length ? 1 : 0;
  },
};
