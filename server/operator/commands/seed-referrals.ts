import type { Bundle } from 'fhir/r4.js';
import {
  CLUSTERS,
  OFFERINGS,
  ORGANIZATIONS,
  PATIENTS,
  PEOPLE,
  referralsSeed,
} from '../../../seed/data/referrals/index.ts';
import type { CommandContext } from '../command.ts';
import type { SeedApi } from './seed-collective.ts';
import { outcomeText, putTransaction as transaction, writtenIn } from './seed-support.ts';

/**
 * `npm run seed -- referrals`: the referral platform's demo (seed 003) from `seed/data/referrals/`:
 * our code systems, a GP practice, a hospital with two clusters and a diagnostics centre, the
 * people and their functions, and the care catalogue with its questionnaires. Each part is one
 * transaction, loaded by a trusted client through REST. Returns how many resources it loaded.
 */
export async function seedReferrals(
  api: SeedApi,
  out: CommandContext['out'],
  failures: string[],
): Promise<number> {
  const started = Date.now();
  let loaded = 0;
  let written = 0;
  for (const part of referralsSeed()) {
    const res = await api.json<Bundle>('POST', '', transaction(part.resources));
    if (res.status !== 200) {
      failures.push(`referrals ${part.name}: ${res.status} ${outcomeText(res.body)}`);
      continue;
    }
    loaded += part.resources.length;
    written += writtenIn(res.body.entry, started);
  }
  out.note(
    written
      ? `referrals demo: ${written} of ${loaded} resources created or brought up to date`
      : `referrals demo: all ${loaded} resources already loaded (unchanged)`,
  );
  printGuide(out);
  return loaded;
}

function printGuide(out: CommandContext['out']) {
  const line = (text = '') => out.result(text);
  line('');
  line('Referral platform demo (seed 003), with the development login (DEV_LOGIN=on npm start):');
  for (const p of PEOPLE) {
    const org = ORGANIZATIONS.find((o) => o.id === p.org)!;
    line(
      `  ${`${p.given} ${p.family}`.padEnd(16)} Practitioner/${p.id.padEnd(28)} ${p.fn.padEnd(26)} ${org.name}`,
    );
    line(`  ${''.padEnd(16)} ${p.does}`);
  }
  for (const p of PATIENTS) {
    line(
      `  ${`${p.given} ${p.family}`.padEnd(16)} Patient/${p.id.padEnd(33)} BSN ${p.bsn}, born ${p.birthDate}`,
    );
  }
  line('');
  line(`Clusters: ${CLUSTERS.map((c) => `${c.name} (Organization/${c.id})`).join(', ')}`);
  line(
    `Catalogue: ${OFFERINGS.filter((o) => o.active !== false).length} active offerings; as the GP, for example:`,
  );
  line(
    '  GET HealthcareService/$catalogue?care-question=cardiologie&patient=Patient/ref-patient-gerrit-jansen',
  );
  line(
    '  GET HealthcareService/$catalogue?icpc=L15   GET HealthcareService/$catalogue?kind=diagnostics&_text=bloed',
  );
}
