import { randomUUID } from 'node:crypto';

/**
 * The placeholders of Nictiz (Touchstone) TestScripts and fixtures, substituted in text before
 * it is parsed: `${DATE, T, D|M|Y, ±n}` is the test date T moved by n days/months/years,
 * `${CURRENTDATE}` is T itself (both `YYYY-MM-DD`), and every `${UUID}` is a fresh UUID
 * (`${UUID-ST}` with its `urn:uuid:` prefix, as a Bundle entry's fullUrl needs it; `${UUID-NODASH}`
 * without dashes: Touchstone's set).
 * Other `${name}` placeholders are TestScript variables and are left for the runner.
 */
const DATE = /\$\{DATE,\s*T,\s*([DMY]),\s*([+-]?\s*\d+)\s*\}/g;

export function shiftDate(today: Date, unit: 'D' | 'M' | 'Y', amount: number): string {
  const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  if (unit === 'D') d.setUTCDate(d.getUTCDate() + amount);
  if (unit === 'M') d.setUTCMonth(d.getUTCMonth() + amount);
  if (unit === 'Y') d.setUTCFullYear(d.getUTCFullYear() + amount);
  return d.toISOString().slice(0, 10);
}

export function substitutePlaceholders(text: string, today: Date): string {
  return text
    .replace(DATE, (_m, unit: 'D' | 'M' | 'Y', n: string) =>
      shiftDate(today, unit, Number(n.replace(/\s/g, ''))),
    )
    .replaceAll('${CURRENTDATE}', shiftDate(today, 'D', 0))
    .replace(/\$\{UUID\}/g, () => randomUUID())
    .replace(/\$\{UUID-ST\}/g, () => `urn:uuid:${randomUUID()}`)
    .replace(/\$\{UUID-NODASH\}/g, () => randomUUID().replaceAll('-', ''));
}
