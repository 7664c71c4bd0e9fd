import type { Route } from '../../fhir/rest/routes.ts';
import type { AccountDeps } from './account-deps.ts';
import { functionClusters } from './function-clusters.ts';
import { functionDetails } from './function-details.ts';
import { setAccountActive, setFunctionActive, verifyFunction } from './functions-admin.ts';
import { listInvitations } from './invitations.ts';
import { inviteColleague, resendInvitation } from './invite-colleague.ts';
import { listPersons } from './persons.ts';
import { referralReport, type ReportDeps } from './referral-report.ts';

const DEFINITION = 'https://zorgpoort.nl/fhir/OperationDefinition/';

function op(
  type: string,
  code: string,
  handle: Route['handle'],
  methods: Route['method'][] = ['POST'],
): Route[] {
  return methods.map((method) => ({
    method,
    pattern: ['type', 'id', `$${code}`],
    types: [type],
    interaction: `$${code}`,
    level: 'instance',
    definition: `${DEFINITION}${type}-${code}`,
    handle,
  }));
}

/**
 * The referral platform's accounts (seed 003): invitations to functions, verification,
 * deactivation, a function's own details, the persons overview, and the referral report. Each
 * has its OperationDefinition in profiles/operations/; the invitee's link itself is served
 * outside the FHIR API (server/auth/invitation-page.ts). See README.md in this folder.
 */
export function accountRoutes(deps: AccountDeps & ReportDeps): Route[] {
  const h = {
    invite: inviteColleague(deps),
    invitations: listInvitations(deps),
    resend: resendInvitation(deps),
    verify: verifyFunction(deps),
    deactivate: setFunctionActive(deps, false),
    reactivate: setFunctionActive(deps, true),
    deactivateAccount: setAccountActive(deps, false),
    reactivateAccount: setAccountActive(deps, true),
    details: functionDetails(deps),
    clusters: functionClusters(deps),
    persons: listPersons(deps),
    report: referralReport(deps),
  };
  const read: Route['method'][] = ['GET'];
  return [
    ...op('Organization', 'invite-colleague', (ctx, req, m) => h.invite(ctx, m.id, req.body)),
    ...op('Organization', 'invitations', (ctx, _req, m) => h.invitations(ctx, m.id), read),
    ...op('Organization', 'resend-invitation', (ctx, req, m) => h.resend(ctx, m.id, req.body)),
    ...op('Organization', 'persons', (ctx, _req, m) => h.persons(ctx, m.id), read),
    ...op('Organization', 'referral-report', (ctx, req, m) => h.report(ctx, m.id, req), read),
    ...op('PractitionerRole', 'verify-function', (ctx, _req, m) => h.verify(ctx, m.id)),
    ...op('PractitionerRole', 'deactivate-function', (ctx, _req, m) => h.deactivate(ctx, m.id)),
    ...op('PractitionerRole', 'reactivate-function', (ctx, _req, m) => h.reactivate(ctx, m.id)),
    ...op('PractitionerRole', 'function-details', (ctx, req, m) => h.details(ctx, m.id, req.body)),
    ...op('PractitionerRole', 'function-clusters', (ctx, req, m) => h.clusters(ctx, m.id, req.body)),
    ...op('Practitioner', 'deactivate-account', (ctx, _req, m) => h.deactivateAccount(ctx, m.id)),
    ...op('Practitioner', 'reactivate-account', (ctx, _req, m) => h.reactivateAccount(ctx, m.id)),
  ];
}
