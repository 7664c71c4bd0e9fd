/**
 * The form string search compares: `Jöns` → `jons`. `toLowerCase` (unlike `toLocaleLowerCase`)
 * gives the same answer whatever the server's locale.
 */
export function normalizeText(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
