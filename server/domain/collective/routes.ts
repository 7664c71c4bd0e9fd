import type { Route } from '../../fhir/rest/routes.ts';
import { answerInvitation } from './answer-invitation.ts';
import { activatePlan } from './activate-plan.ts';
import { activationCode } from './activation-code.ts';
import { activationLetter, sendReminder } from './activation-letter.ts';
import { addCaregiver } from './add-caregiver.ts';
import { addParticipant } from './add-participant.ts';
import { assignCasemanager } from './assign-casemanager.ts';
import type { CollectiveDeps } from './changes.ts';
import { createCollective } from './create-collective.ts';
import { createGroup } from './create-group.ts';
import { exportReports } from './export-reports.ts';
import { changeGroupMember } from './group-members.ts';
import { deleteGroup } from './delete-group.ts';
import { renameGroup } from './rename-group.ts';
import { collectiveOverview } from './overview.ts';
import { myInvitations } from './my-invitations.ts';
import { planInvitations } from './plan-invitations.ts';
import { registerPractitioner } from './register-practitioner.ts';
import { removeCaregiver } from './remove-caregiver.ts';
import { removeParticipant } from './remove-participant.ts';
import { setRole } from './set-role.ts';
import { startPlan } from './start-plan.ts';
import { stopPlan } from './stop-plan.ts';
import { waitingForActivation } from './waiting-for-activation.ts';

const DEFINITION = 'https://zorgpoort.nl/fhir/OperationDefinition/';

type Handle = Route['handle'];

function op(
  type: string,
  code: string,
  level: 'type' | 'instance',
  handle: Handle,
  methods: Route['method'][] = ['POST'],
): Route[] {
  return methods.map((method) => ({
    method,
    pattern: level === 'type' ? ['type', `$${code}`] : ['type', 'id', `$${code}`],
    types: [type],
    interaction: `$${code}`,
    level,
    definition: `${DEFINITION}${type}-${code}`,
    handle,
  }));
}

/**
 * The care collectives' operations (seeds 000/001), each with its OperationDefinition in
 * profiles/operations/ and the CapabilityStatement. See README.md in this folder.
 */
export function collectiveRoutes(deps: CollectiveDeps): Route[] {
  const h = {
    createCollective: createCollective(deps),
    register: registerPractitioner(deps),
    addCaregiver: addCaregiver(deps),
    removeCaregiver: removeCaregiver(deps),
    setRole: setRole(deps),
    createGroup: createGroup(deps),
    addMember: changeGroupMember(deps, true),
    removeMember: changeGroupMember(deps, false),
    renameGroup: renameGroup(deps),
    deleteGroup: deleteGroup(deps),
    startPlan: startPlan(deps),
    stopPlan: stopPlan(deps),
    addParticipant: addParticipant(deps),
    removeParticipant: removeParticipant(deps),
    acceptInvitation: answerInvitation(deps, true),
    declineInvitation: answerInvitation(deps, false),
    myInvitations: myInvitations(deps),
    invitations: planInvitations(deps),
    activationCode: activationCode(deps),
    waiting: waitingForActivation(deps),
    activate: activatePlan(deps),
    assignCasemanager: assignCasemanager(deps),
    overview: collectiveOverview(deps),
    letter: activationLetter(deps),
    reminder: sendReminder(deps),
    exportReports: exportReports('CarePlan'),
    exportPatientReports: exportReports('Patient'),
  };
  const read: Route['method'][] = ['GET', 'POST'];
  return [
    ...op('Organization', 'create-collective', 'type', (ctx, req) => h.createCollective(ctx, req.body)),
    ...op('Practitioner', 'register', 'type', (ctx, req) => h.register(ctx, req.body)),
    ...op('Organization', 'add-caregiver', 'instance', (ctx, req, m) => h.addCaregiver(ctx, m.id, req.body)),
    ...op('Organization', 'remove-caregiver', 'instance', (ctx, req, m) =>
      h.removeCaregiver(ctx, m.id, req.body),
    ),
    ...op('Organization', 'set-role', 'instance', (ctx, req, m) => h.setRole(ctx, m.id, req.body)),
    ...op('Organization', 'create-group', 'instance', (ctx, req, m) => h.createGroup(ctx, m.id, req.body)),
    ...op('CareTeam', 'add-member', 'instance', (ctx, req, m) => h.addMember(ctx, m.id, req.body)),
    ...op('CareTeam', 'remove-member', 'instance', (ctx, req, m) => h.removeMember(ctx, m.id, req.body)),
    ...op('CareTeam', 'rename-group', 'instance', (ctx, req, m) => h.renameGroup(ctx, m.id, req.body)),
    ...op('CareTeam', 'delete-group', 'instance', (ctx, _req, m) => h.deleteGroup(ctx, m.id)),
    ...op('Organization', 'start-plan', 'instance', (ctx, req, m) => h.startPlan(ctx, m.id, req.body)),
    ...op('CarePlan', 'stop', 'instance', (ctx, _req, m) => h.stopPlan(ctx, m.id)),
    ...op('CarePlan', 'add-participant', 'instance', (ctx, req, m) => h.addParticipant(ctx, m.id, req.body)),
    ...op('CarePlan', 'remove-participant', 'instance', (ctx, req, m) =>
      h.removeParticipant(ctx, m.id, req.body),
    ),
    ...op('CarePlan', 'accept-invitation', 'instance', (ctx, _req, m) => h.acceptInvitation(ctx, m.id)),
    ...op('CarePlan', 'decline-invitation', 'instance', (ctx, _req, m) => h.declineInvitation(ctx, m.id)),
    ...op('CarePlan', 'my-invitations', 'type', (ctx) => h.myInvitations(ctx), read),
    ...op('CarePlan', 'invitations', 'instance', (ctx, _req, m) => h.invitations(ctx, m.id), read),
    ...op('CarePlan', 'activation-code', 'instance', (ctx, req, m) => h.activationCode(ctx, m.id, req.body)),
    ...op('CarePlan', 'activation-letter', 'instance', (ctx, req, m) => h.letter(ctx, m.id, req), read),
    ...op('CarePlan', 'export-reports', 'instance', (ctx, _req, m) => h.exportReports(ctx, m.id), read),
    ...op('Patient', 'export-reports', 'instance', (ctx, _req, m) => h.exportPatientReports(ctx, m.id), read),
    ...op('CarePlan', 'send-reminder', 'instance', (ctx, req, m) => h.reminder(ctx, m.id, req)),
    ...op('Organization', 'waiting-for-activation', 'instance', (ctx, _req, m) => h.waiting(ctx, m.id), read),
    ...op('CarePlan', 'activate', 'type', (ctx, req) => h.activate(ctx, req.body)),
    ...op('CarePlan', 'assign-casemanager', 'instance', (ctx, req, m) =>
      h.assignCasemanager(ctx, m.id, req.body),
    ),
    ...op('Organization', 'overview', 'instance', (ctx, req, m) => h.overview(ctx, m.id, req.query), read),
  ];
}
