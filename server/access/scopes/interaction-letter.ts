import type { Letter } from '../../auth/scope-syntax.ts';

/**
 * The SMART permission letter an interaction needs. Reading one resource (and its versions) is
 * `r`; anything that finds resources by criteria (searches, compartments, type and system
 * history, `$everything`) is `s`. Bundles need none themselves: each entry is dispatched, and
 * checked, on its own. `$validate` discloses nothing beyond what `canSee` already filters.
 */
const LETTERS: Record<string, Letter> = {
  read: 'r',
  vread: 'r',
  'history-instance': 'r',
  'search-type': 's',
  'search-system': 's',
  'history-type': 's',
  'history-system': 's',
  $everything: 's',
  // Opening a record in an emergency is for an app that may read patients at all.
  '$break-the-glass': 'r',
  // Merging records changes both patients and every resource of the retired one's record.
  $merge: 'u',
  // The care collectives' operations (server/domain/collective), by what they do to their type.
  '$create-collective': 'c',
  $register: 'c',
  '$create-group': 'c',
  '$start-plan': 'c',
  '$add-caregiver': 'u',
  '$remove-caregiver': 'u',
  '$set-role': 'u',
  '$add-member': 'u',
  '$remove-member': 'u',
  '$rename-group': 'u',
  '$delete-group': 'u',
  $stop: 'u',
  '$add-participant': 'u',
  '$remove-participant': 'u',
  '$accept-invitation': 'u',
  '$decline-invitation': 'u',
  '$my-invitations': 'r',
  $activate: 'u',
  '$assign-casemanager': 'u',
  // May reissue the code.
  '$activation-code': 'u',
  '$activation-letter': 'r',
  // Mails the patient, with the casemanager's own words.
  '$send-reminder': 'u',
  $invitations: 'r',
  // Reads the plan as `r` needs; its reports are a search, checked by the operation itself.
  '$export-reports': 'r',
  $overview: 'r',
  '$waiting-for-activation': 's',
  // Sends the referral on to its receiver: for whoever may change it.
  '$send-hl7': 'u',
  // Reads the offering; what it writes (ServiceRequest, Task, …) the operation checks as `c` itself.
  $refer: 'r',
  // The hospital portal's screens, patient search and recent patients (server/domain/hospital):
  // searches (each type a screen reads is checked by the operation too).
  '$portal-view': 's',
  '$portal-lab-series': 's',
  '$portal-search': 's',
  '$portal-recent': 's',
  // Reads the patient; it writes a Task and a Flag, whose c the operation checks itself.
  '$report-death': 'r',
  '$portal-patient': 'r',
  // The GP practice's portal (server/domain/practice): a request reads its prescription or
  // patient and writes a Task (and Communication), whose c the operation checks itself; a
  // decision or answer changes the request; the reminders' run mails patients.
  '$request-repeat': 'r',
  '$decide-repeat': 'u',
  $econsult: 'r',
  $answer: 'u',
  '$send-reminders': 'u',
  // The patient portal's webagenda (server/domain/practice): booking reads the Slot (and checks
  // c on Appointment itself); a cancel changes the Appointment.
  $book: 'r',
  $cancel: 'u',
  // The patient portal's accounts (server/domain/practice): a DigiD registration makes a Person,
  // linking changes one; session codes ($session-code, $open-service) are the login's own.
  '$register-digid': 'c',
  '$link-patient': 'u',
  create: 'c',
  update: 'u',
  patch: 'u',
  delete: 'd',
  $purge: 'd',
};

export function letterFor(interaction: string | string[], compartmentSearch: boolean): Letter | undefined {
  if (compartmentSearch) return 's';
  return typeof interaction === 'string' ? LETTERS[interaction] : undefined;
}
