import { person } from './directory.ts';
import { patientRef } from './patients.ts';
import { concept, held, NANDA, NIC, NOC, sct, type Clock, type Json } from './context.ts';

/**
 * Dossier › Verpleegkundig dossier (seed 002 §2.4.3), in the nursing classifications: a NANDA
 * nursing diagnosis, a NOC outcome as a goal and its scores, NIC interventions as a care plan's
 * activities and as a performed procedure.
 */
const CONFIRMED = concept('http://terminology.hl7.org/CodeSystem/condition-ver-status', 'confirmed', 'Confirmed');

export function nursing(c: Clock): Record<string, Json[]> {
  const patient = patientRef('johanna');
  const nurse = person('hz-zgt-verpleegkundige-peters');
  const score = (day: number, value: number) =>
    held('zgt', {
      resourceType: 'Observation',
      id: `hz-jo-noc-ademhaling-${-day}`,
      status: 'final',
      code: concept(NOC, '0415', 'Ademhalingsstatus'),
      subject: patient,
      effectiveDateTime: c.at(day, 8),
      performer: [nurse],
      valueInteger: value,
      note: [{ text: 'NOC-score 1 (ernstig afwijkend) tot 5 (niet afwijkend)' }],
    });
  /** A NIC intervention of the nursing care plan (zib NursingIntervention: one activity each). */
  const intervention = (id: string, nic: [string, string], description: string) =>
    held(
      'zgt',
      {
        resourceType: 'CarePlan',
        id,
        status: 'active',
        intent: 'plan',
        category: [sct('9632001', 'Verpleegkundige interventie')],
        title: `Verpleegkundig behandelplan: ${nic[1]}`,
        subject: patient,
        period: { start: c.at(-2, 15) },
        author: nurse,
        addresses: [{ reference: 'Condition/hz-jo-nanda-ademhaling' }],
        activity: [{ detail: { code: concept(NIC, nic[0], nic[1]), status: 'in-progress', description } }],
      },
      'nl-core-NursingIntervention',
    );
  return {
    johanna: [
      held('zgt', {
        resourceType: 'Condition',
        id: 'hz-jo-nanda-ademhaling',
        clinicalStatus: concept('http://terminology.hl7.org/CodeSystem/condition-clinical', 'active'),
        verificationStatus: CONFIRMED,
        category: [concept('http://terminology.hl7.org/CodeSystem/condition-category', 'problem-list-item', 'Problem List Item')],
        code: concept(NANDA, '00032', 'Ineffectief ademhalingspatroon'),
        subject: patient,
        onsetDateTime: c.at(-2, 15),
        recorder: nurse,
      }),
      held('zgt', {
        resourceType: 'Goal',
        id: 'hz-jo-noc-doel',
        lifecycleStatus: 'active',
        description: concept(NOC, '0415', 'Ademhalingsstatus'),
        subject: patient,
        startDate: c.day(-2),
        target: [
          {
            measure: concept(NOC, '0415', 'Ademhalingsstatus'),
            detailInteger: 4,
            dueDate: c.day(3),
          },
        ],
        addresses: [{ reference: 'Condition/hz-jo-nanda-ademhaling' }],
      }),
      score(-2, 2),
      score(-1, 3),
      intervention('hz-jo-nic-ademhaling', ['3350', 'Ademhaling bewaken'], 'Elke dienst ademfrequentie en saturatie meten'),
      intervention('hz-jo-nic-zuurstofplan', ['3320', 'Zuurstoftherapie'], 'Zuurstof op geleide van saturatie (doel 92-96%)'),
      held('zgt', {
        resourceType: 'Procedure',
        id: 'hz-jo-nic-zuurstof',
        status: 'completed',
        code: concept(NIC, '3320', 'Zuurstoftherapie'),
        subject: patient,
        performedDateTime: c.at(-1, 6),
        performer: [{ actor: nurse }],
      }),
    ],
  };
}
