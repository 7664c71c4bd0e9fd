import type { Said } from '../../domain/language.ts';

export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 200;

/**
 * Passwords seen first in every leaked list, and words for this place: a guesser tries these
 * first. Compared lower-cased and with digits and punctuation at the ends taken off, so
 * `Welkom2024!!` is `welkom`.
 */
const DENIED = new Set([
  'password',
  'passw0rd',
  'wachtwoord',
  'welkom',
  'welcome',
  'qwerty',
  'qwertyuiop',
  'azerty',
  'abcdef',
  'abcdefghijkl',
  'letmein',
  'iloveyou',
  'admin',
  'administrator',
  'zorgpoort',
  'huisarts',
  'ziekenhuis',
  'verwijzing',
  'geheim',
  'changeme',
  'monkey',
  'dragon',
  'football',
  'sunshine',
  'trustno1',
  'nederland',
  'amsterdam',
  'rotterdam',
]);

/**
 * What is wrong with a new password, in both languages, or undefined when it is acceptable:
 * at least 12 characters (NIST SP 800-63B: length over composition rules), at most 200, not
 * the login itself (or its name part), not one repeated character or a run of digits, not on
 * the deny-list.
 */
export function passwordProblem(password: string, login: string): Said | undefined {
  if (password.length < MIN_PASSWORD_LENGTH)
    return {
      en: `The password is too short: use at least ${MIN_PASSWORD_LENGTH} characters (a few words make a good one)`,
      nl: `Het wachtwoord is te kort: gebruik minstens ${MIN_PASSWORD_LENGTH} tekens (een paar woorden achter elkaar is een goed wachtwoord)`,
    };
  if (password.length > MAX_PASSWORD_LENGTH)
    return {
      en: `The password is too long: use at most ${MAX_PASSWORD_LENGTH} characters`,
      nl: `Het wachtwoord is te lang: gebruik hoogstens ${MAX_PASSWORD_LENGTH} tekens`,
    };
  const lower = password.toLowerCase();
  const email = login.toLowerCase();
  const name = email.split('@')[0] ?? '';
  if (
    lower.includes(email) ||
    (name.length >= 4 && lower.replace(/[^a-z]/g, '') === name.replace(/[^a-z]/g, ''))
  )
    return {
      en: 'The password must not be your e-mail address or its name part',
      nl: 'Het wachtwoord mag niet uw e-mailadres of het deel vóór de @ zijn',
    };
  const core = lower.replace(/^[^a-z]+|[^a-z]+$/g, '');
  if (/^(.)\1+$/.test(password) || /^[0-9]+$/.test(password) || DENIED.has(core))
    return {
      en: 'This password is too easy to guess: it is on the list of common passwords; choose another',
      nl: 'Dit wachtwoord is te makkelijk te raden: het staat op de lijst van veelgebruikte wachtwoorden; kies een ander',
    };
  return undefined;
}
