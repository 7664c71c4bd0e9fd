/**
 * The portal's question before the emergency procedure (seed 002, 2.1.1), in Dutch and English:
 * asked by the hint on a hidden patient (read.ts) and by `$break-the-glass` without a reason.
 */
export const EMERGENCY_QUESTION = {
  nl:
    'In onze zorginstelling is geen behandelrelatie bekend tussen u en deze patiënt. ' +
    'Als u de gegevens van deze patiënt toch wilt inzien, dan zal dit worden gelogd en gemeld aan de patiënt. ' +
    'Waarom wilt u dit dossier bekijken?',
  en:
    'Our institution knows of no treatment relationship between you and this patient. ' +
    "If you still want to see this patient's data, this will be logged and reported to the patient. " +
    'Why do you want to see this record?',
} as const;
