import { CONSENT_SCOPE, DATA_CATEGORY_SYSTEM } from '../../access/facts/consent-rules.ts';
import { managedBy } from './changes.ts';
import type { Json } from './directory.ts';
import { COLLECTIVE_ROLE_SYSTEM } from './vocabulary.ts';

/** The role a plan team gives its casemanagers (the collective role's code). */
export const CASEMANAGER_IN_PLAN = { system: COLLECTIVE_ROLE_SYSTEM, code: 'casemanager' };

type Participant = {
  member?: { reference?: string };
  role?: { coding?: { system?: string; code?: string }[] }[];
  period?: { end?: string };
};

/** The practitioners a plan team lists as its casemanagers now. */
export function planCasemanagers(team: Json): string[] {
  return ((team.participant ?? []) as Participant[])
    .filter((p) => !p.period?.end || Date.parse(p.period.end) > Date.now())
    .filter((p) =>
      (p.role ?? []).some((r) =>
        (r.coding ?? []).some(
          (c) => c.system === CASEMANAGER_IN_PLAN.system && c.code === CASEMANAGER_IN_PLAN.code,
        ),
      ),
    )
    .flatMap((p) => (p.member?.reference?.startsWith('Practitioner/') ? [p.member.reference.slice(13)] : []));
}

/**
 * The plan's consent (patient-privacy): before activation it keeps the patient's own entries
 * (PGD, labelled PATAST) from the plan's team — they see the record the collective holds — and
 * after activation it permits the team everything, the patient's PGD included: entering the
 * code is the patient's agreement. The patient sees it among their Consents.
 */
export function planConsent(
  collectiveId: string,
  patientId: string,
  teamId: string,
  activated: boolean,
): Json {
  const actor = [
    {
      role: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }],
      },
      reference: { reference: `CareTeam/${teamId}` },
    },
  ];
  return {
    resourceType: 'Consent',
    ...managedBy(collectiveId),
    status: 'active',
    scope: { coding: [{ system: CONSENT_SCOPE, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    patient: { reference: `Patient/${patientId}` },
    dateTime: new Date().toISOString(),
    provision: activated
      ? { type: 'permit', actor }
      : { type: 'deny', actor, code: [{ coding: [{ system: DATA_CATEGORY_SYSTEM, code: 'pgd' }] }] },
  };
}
