import type { Hl7Segment } from '@medplum/core';
import { patientEntry as patientEntryOf } from '../patient-entry.ts';
import { entry, type MapContext, type TransactionBundle } from '../bundle.ts';
import { Hl7Error, UnsupportedMessageError, type Hl7 } from '../hl7/message.ts';
import { localSystem } from '../hl7/types.ts';
import { mapObservation } from './observation.ts';
import { mapReport, orderNumber } from './report.ts';
import { mapSpecimen } from './specimen.ts';

type Json = Record<string, unknown>;
type Identifier = { system?: string; value?: string };

/**
 * `ORU^R01` → one transaction: per OBR a DiagnosticReport with its Observations (one per OBX;
 * ED/RP values become the report's presented forms), for the patient of PID. Results are known
 * by the order number and OBX-3 (and OBX-4), so a correction (OBX-11 `C`) updates the same
 * Observation: a new version, not a second result. The patient is created when unknown, never
 * changed: demographics are ADT's.
 */
export function mapOru(m: Hl7, context: MapContext): TransactionBundle {
  if (m.value('MSH', 9, 2) && m.value('MSH', 9, 2) !== 'R01') {
    throw new UnsupportedMessageError(
      'MSH',
      9,
      `ORU^${m.value('MSH', 9, 2)} is not mapped (supported: R01)`,
      '201',
    );
  }
  const facility = m.sender.facility || m.sender.application;
  const seed = `${facility}|${m.controlId}`;
  const { entry: patientEntry } = patientEntryOf(m, facility, seed, 'ensure');
  const subject = { reference: patientEntry.fullUrl };
  const entries: Json[] = [patientEntry];
  const performer = context.organization ? [{ reference: context.organization }] : undefined;

  for (const { obr, results, spm } of groups(m)) {
    const report = mapReport(m, obr, facility);
    const order = orderNumber(m, obr);
    const specimen = mapSpecimen(m, spm, obr, order.value, facility);
    const specimenEntry =
      specimen && entry(seed, 'Specimen', { ...specimen, subject }, (specimen.identifier as Identifier[])[0]);
    const effective = report.effectiveDateTime as string | undefined;
    const observations: Json[] = [];
    const presentedForm: Json[] = [];
    for (const { obx, notes } of results) {
      let mapped;
      try {
        mapped = mapObservation(m, obx, notes, facility, effective);
      } catch (err) {
        // Tell the sender which OBX: the third one is OBX sequence 3.
        if (err instanceof Hl7Error) err.sequence = m.all('OBX').indexOf(obx) + 1;
        throw err;
      }
      if (mapped.presentedForm) presentedForm.push(mapped.presentedForm);
      if (!mapped.observation) continue;
      const obs = mapped.observation;
      // OBX-4 tells results with the same code apart; when the code repeats without it, OBX-1
      // (the set id) does. A code that occurs once is known by the code alone, whatever its set id.
      const code = m.value(obx, 3, 1);
      const repeated = results.filter((r) => m.value(r.obx, 3, 1) === code).length > 1;
      const id = {
        system: localSystem('result-id', facility),
        value: [order.value, code, m.value(obx, 4) || (repeated ? `set${m.value(obx, 1)}` : '1')].join('-'),
      };
      obs.identifier = [id];
      obs.subject = subject;
      if (performer) obs.performer = performer;
      if (specimenEntry) obs.specimen = { reference: specimenEntry.fullUrl };
      const e = entry(seed, 'Observation', obs, id);
      observations.push(e);
    }
    report.subject = subject;
    if (performer) report.performer = performer;
    if (specimenEntry) report.specimen = [{ reference: specimenEntry.fullUrl }];
    if (observations.length) report.result = observations.map((o) => ({ reference: o.fullUrl }));
    if (presentedForm.length) report.presentedForm = presentedForm;
    entries.push(
      ...(specimenEntry ? [specimenEntry] : []),
      ...observations,
      entry(seed, 'DiagnosticReport', report, (report.identifier as Identifier[])[0]),
    );
  }
  if (entries.length === 1) throw new Hl7Error('OBR', 0, 'an ORU^R01 holds at least one OBR');
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

/** The OBR groups of the message: each OBR with its SPM and the OBX (and their NTE) up to the next OBR. */
function groups(
  m: Hl7,
): { obr: Hl7Segment; spm?: Hl7Segment; results: { obx: Hl7Segment; notes: string[] }[] }[] {
  const out: { obr: Hl7Segment; spm?: Hl7Segment; results: { obx: Hl7Segment; notes: string[] }[] }[] = [];
  for (const s of m.segments) {
    if (s.name === 'OBR') out.push({ obr: s, results: [] });
    else if (s.name === 'SPM') {
      const group = out[out.length - 1];
      if (group && !group.spm) group.spm = s;
    } else if (s.name === 'OBX') {
      const group = out[out.length - 1];
      if (!group) throw new Hl7Error('OBX', 0, 'an OBX before any OBR');
      group.results.push({ obx: s, notes: [] });
    } else if (s.name === 'NTE') {
      const last = out[out.length - 1]?.results.at(-1);
      if (last) last.notes.push(m.value(s, 3));
    }
  }
  return out;
}
