import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A test PKI made with the openssl command line, the way a UZI test environment is set up: a
 * "UZI CA" with a revocation list, a foreign CA, a TLS certificate for the server, and cards
 * whose subjectAltName carries the UZI otherName 2.5.5.5.
 */
export interface TestPki {
  dir: string;
  uziCa: string;
  uziCrl: string;
  serverCert: string;
  serverKey: string;
  /** PEM cert and key of a card, by name. */
  card(name: string): { cert: Buffer; key: Buffer };
  cleanup(): void;
}

export interface CardSpec {
  name: string;
  /** `<OID-CA>-<version>-<UZI-nr>-<type>-<subscriber>-<role>-<AGB>`, or undefined for no UZI otherName. */
  uzi?: string;
  issuer?: 'uzi' | 'foreign';
  revoked?: boolean;
}

export function createTestPki(cards: CardSpec[]): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'uzi-pki-'));
  const p = (f: string) => join(dir, f);
  const openssl = (...args: string[]) => {
    try {
      return execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error('openssl is not installed (apt-get install openssl)');
      }
      throw err;
    }
  };
  const ca = (name: string, cn: string) =>
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '2',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-subj',
      `/CN=${cn}`,
    );
  ca('uzi-ca', 'Test UZI-register Zorgverlener CA');
  ca('foreign-ca', 'Some other CA');
  writeFileSync(p('index.txt'), '');
  writeFileSync(p('crlnumber'), '01\n');
  writeFileSync(
    p('ca.cnf'),
    [
      '[ca]',
      'default_ca = d',
      '[d]',
      `database = ${p('index.txt')}`,
      `crlnumber = ${p('crlnumber')}`,
      'default_md = sha256',
      'default_crl_days = 2',
      '',
    ].join('\n'),
  );
  const issue = (name: string, subject: string, issuer: string, ext: string) => {
    writeFileSync(p(`${name}.ext`), `[e]\n${ext}\n`);
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    );
    openssl(
      'x509',
      '-req',
      '-sha256',
      '-in',
      `${name}.csr`,
      '-CA',
      `${issuer}.pem`,
      '-CAkey',
      `${issuer}.key`,
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${name}.pem`,
      '-extfile',
      `${name}.ext`,
      '-extensions',
      'e',
    );
  };
  issue('server', '/CN=127.0.0.1', 'uzi-ca', 'subjectAltName = IP:127.0.0.1, DNS:localhost');
  for (const c of cards) {
    const san = c.uzi
      ? `subjectAltName = otherName:2.5.5.5;IA5STRING:${c.uzi}`
      : 'subjectAltName = DNS:nobody.example';
    issue(
      c.name,
      `/CN=${c.name}`,
      c.issuer === 'foreign' ? 'foreign-ca' : 'uzi-ca',
      `${san}\nextendedKeyUsage = clientAuth`,
    );
    if (c.revoked)
      openssl(
        'ca',
        '-config',
        p('ca.cnf'),
        '-revoke',
        `${c.name}.pem`,
        '-keyfile',
        'uzi-ca.key',
        '-cert',
        'uzi-ca.pem',
      );
  }
  openssl(
    'ca',
    '-config',
    p('ca.cnf'),
    '-gencrl',
    '-keyfile',
    'uzi-ca.key',
    '-cert',
    'uzi-ca.pem',
    '-out',
    'uzi-ca.crl',
  );
  return {
    dir,
    uziCa: p('uzi-ca.pem'),
    uziCrl: p('uzi-ca.crl'),
    serverCert: p('server.pem'),
    serverKey: p('server.key'),
    card: (name) => ({ cert: readFileSync(p(`${name}.pem`)), key: readFileSync(p(`${name}.key`)) }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
