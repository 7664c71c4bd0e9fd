import type { Bundle } from 'fhir/r4.js';
import { fullName, GUIDE, hospitalSeed, PATIENTS, PEOPLE } from '../../../seed/data/hospital/index.ts';
import type { CommandContext } from '../command.ts';
import type { SeedApi } from './seed-collective.ts';
import { outcomeText, printPeople, putTransaction as transaction, writtenIn } from './seed-support.ts';

const ORG_TYPE = 'http://nictiz.nl/fhir/NamingSystem/organization-type';
const UZI_ROLE = 'http://fhir.nl/fhir/NamingSystem/uzi-rolcode';

/**
 * `npm run seed -- hospital`: the hospital caregiver portal's demo (seed 002), from
 * `seed/data/hospital/` dated from today: ZGT and MST with their patients' records, held by each
 * hospital (custodian tag), the GPs, the GP post and the elderly-care physician with and without
 * a treatment relationship and consent. The directory is one transaction, each patient another
 * (there whole or not at all). Returns how many resources it wrote or found unchanged.
 */
export async function seedHospital(
  api: SeedApi,
  out: CommandContext['out'],
  failures: string[],
): Promise<number> {
  const started = Date.now();
  const seed = hospitalSeed(new Date(started));
  let loaded = 0;
  let written = 0;
  const directory = await api.json<Bundle>('POST', '', transaction(seed.directory));
  if (directory.status !== 200) {
    throw new Error(`hospital directory: ${directory.status} ${outcomeText(directory.body)}`);
  }
  loaded += seed.directory.length;
  written += writtenIn(directory.body.entry, started);
  out.note(`hospital directory: ${seed.directory.length} resources (organisations, caregivers, roles)`);

  const total = seed.patients.reduce((n, p) => n + p.resources.length, 0);
  const progress = out.progress('hospital patients', total);
  let done = 0;
  try {
    for (const p of seed.patients) {
      const res = await api.json<Bundle>('POST', '', transaction(p.resources));
      done += p.resources.length;
      if (res.status === 200) {
        loaded += p.resources.length;
        written += writtenIn(res.body.entry, started);
      } else failures.push(`Patient/${p.id}: ${res.status} ${outcomeText(res.body)}`);
      progress.update(done);
    }
  } finally {
    progress.stop();
  }
  out.note(
    written
      ? `hospital demo: ${written} of ${loaded} resources created or brought up to date`
      : `hospital demo: all ${loaded} resources already loaded (unchanged)`,
  );
  await printPeople(api, out);
  printGuide(out);
  return loaded;
}

function printGuide(out: CommandContext['out']) {
  const line = (text = '') => out.result(text);
  line('');
  line('Hospital portal demo (seed 002), ZGT = Organization/zgt, MST = Organization/mst:');
  for (const [what, id] of GUIDE.logins) {
    const p = PEOPLE.find((x) => x.id === id)!;
    line(`  ${what.padEnd(34)} Practitioner/${id.padEnd(24)} UZI ${p.uzi}  ${p.does}`);
  }
  const patient = PATIENTS[0]!;
  line(
    `  ${'a patient'.padEnd(34)} Patient/${patient.id.padEnd(29)} BSN ${patient.bsn}  ${fullName(patient)}`,
  );
  line('');
  line(
    'Patients and what the portal shows (GET Patient/[id]/$portal-view?view=…, Patient/$portal-view?view=inpatients):',
  );
  for (const p of PATIENTS) {
    line(
      `  ${fullName(p).padEnd(30)} Patient/${p.id.padEnd(22)} BSN ${p.bsn}  ${GUIDE.patients[p.key] ?? ''}`,
    );
  }
  line('');
  line('Break-the-glass at the GP post: start the server with');
  line(
    `  ACCESS_BTG_ORGANIZATIONS='${ORG_TYPE}|HAP' ACCESS_BTG_ROLES='${UZI_ROLE}|01.015' DEV_LOGIN=on npm start`,
  );
  line(
    '  then, as Practitioner/hz-hap-arts-mulder, POST Patient/hz-johanna-hendriks/$break-the-glass with a reason.',
  );
}
