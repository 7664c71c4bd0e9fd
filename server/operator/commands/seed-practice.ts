import type { Bundle } from 'fhir/r4.js';
import { PATIENTS, PRACTICES, STAFF, practiceSeed } from '../../../seed/data/practice/index.ts';
import type { CommandContext } from '../command.ts';
import type { SeedApi } from './seed-collective.ts';
import { outcomeText, putTransaction as transaction, writtenIn } from './seed-support.ts';

/**
 * `npm run seed -- practice`: the GP practice's patient portal demo (seed 004) from
 * `seed/data/practice/`: two practices with their staff, three patients with medication,
 * results and advice, and the webagenda's free slots on the next ten working days. Each part is
 * one transaction, loaded by a trusted client through REST. Returns how many resources it loaded.
 */
export async function seedPractice(
  api: SeedApi,
  out: CommandContext['out'],
  failures: string[],
  today = new Date(),
): Promise<number> {
  const started = Date.now();
  let loaded = 0;
  let written = 0;
  for (const part of practiceSeed(today)) {
    const res = await api.json<Bundle>('POST', '', transaction(part.resources));
    if (res.status !== 200) {
      failures.push(`practice ${part.name}: ${res.status} ${outcomeText(res.body)}`);
      continue;
    }
    loaded += part.resources.length;
    written += writtenIn(res.body.entry, started);
  }
  out.note(
    written
      ? `practice demo: ${written} of ${loaded} resources created or brought up to date`
      : `practice demo: all ${loaded} resources already loaded (unchanged)`,
  );
  printGuide(out);
  return loaded;
}

function printGuide(out: CommandContext['out']) {
  const line = (text = '') => out.result(text);
  line('');
  line("GP practice's patient portal demo (seed 004), with the development login (DEV_LOGIN=on npm start):");
  for (const s of STAFF) {
    const practice = PRACTICES.find((p) => p.id === s.practice)!;
    line(`  ${`${s.given} ${s.family}`.padEnd(16)} Practitioner/${s.id.padEnd(28)} ${practice.name}`);
    line(`  ${''.padEnd(16)} ${s.does}`);
  }
  for (const p of PATIENTS) {
    line(`  ${`${p.given} ${p.family}`.padEnd(16)} Patient/${p.id.padEnd(28)} BSN ${p.bsn}: ${p.how}`);
  }
  line('');
  line('Webagenda: free slots of Het Anker, for example:');
  line('  GET Slot?schedule.actor=Organization/gp-het-anker&status=free&start=ge<today>');
  line('The portal\'s calls: README "Patient portal".');
}
