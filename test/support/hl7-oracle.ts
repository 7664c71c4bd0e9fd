import { spawnSync } from 'node:child_process';

/** One value as python3-hl7 reads it: segment index, name, field, repetition, component, subcomponent, value. */
export type OracleValue = [number, string, number, number, number, number, string];

/** Every non-empty value of a message as Debian's python3-hl7 reads it (hl7_oracle.py beside this file). */
export function hl7Oracle(raw: Buffer, charset: string): OracleValue[] {
  const run = spawnSync('/usr/bin/python3', [new URL('./hl7_oracle.py', import.meta.url).pathname, charset], {
    input: raw,
  });
  if (run.status !== 0) throw new Error(`python3-hl7: ${run.stderr.toString()}`);
  return JSON.parse(run.stdout.toString('utf8')) as OracleValue[];
}

/** The value python3-hl7 read at `SEG-field[rep].comp.sub` (first segment of that name), or undefined. */
export function oracleAt(values: OracleValue[], name: string, field: number, comp = 1, sub = 1, rep = 1) {
  const first = values.find((v) => v[1] === name)?.[0];
  return values.find(
    (v) => v[0] === first && v[2] === field && v[3] === rep && v[4] === comp && v[5] === sub,
  )?.[6];
}
