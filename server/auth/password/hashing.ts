import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt's cost: N (a power of two), r, p. Memory is 128·N·r bytes: N=2^15, r=8 → 32 MiB per
 * hash, about 50–100 ms on a server core, which is what makes a stolen table costly to guess.
 */
export interface ScryptParameters {
  logN: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParameters = { logN: 15, r: 8, p: 1 };
const KEY_BYTES = 64;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, s: ScryptParameters): Promise<Buffer> {
  const options: ScryptOptions = {
    N: 2 ** s.logN,
    r: s.r,
    p: s.p,
    // Node refuses above maxmem (32 MiB by default); twice what the parameters need.
    maxmem: 256 * 2 ** s.logN * s.r,
  };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/**
 * A password's stored form, with its parameters so they can be raised later:
 * `scrypt$ln=15,r=8,p=1$<salt base64>$<key base64>`.
 */
export async function hashPassword(password: string, s: ScryptParameters = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, s);
  return `scrypt$ln=${s.logN},r=${s.r},p=${s.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

function parse(stored: string): { s: ScryptParameters; salt: Buffer; key: Buffer } | undefined {
  const m = /^scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return undefined;
  const s = { logN: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  // A tampered row must not make one login cost minutes or gigabytes.
  if (s.logN < 1 || s.logN > 20 || s.r < 1 || s.r > 32 || s.p < 1 || s.p > 16) return undefined;
  return { s, salt: Buffer.from(m[4]!, 'base64'), key: Buffer.from(m[5]!, 'base64') };
}

/**
 * Whether `password` is the one `stored` was made from (a constant-time comparison), and
 * whether the stored form should be made again with `current` parameters (a successful login
 * is the only time the password is at hand to do it).
 */
export async function verifyPassword(
  password: string,
  stored: string,
  current: ScryptParameters = DEFAULT_SCRYPT,
): Promise<{ ok: boolean; rehash: boolean }> {
  const parsed = parse(stored);
  if (!parsed) return { ok: false, rehash: false };
  const key = await derive(password, parsed.salt, parsed.s);
  const ok = key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
  const { s } = parsed;
  return { ok, rehash: ok && (s.logN !== current.logN || s.r !== current.r || s.p !== current.p) };
}
