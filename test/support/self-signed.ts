import { execFileSync } from 'node:child_process';

/** A self-signed RSA certificate and key made with the openssl command line (2 days, SHA-256). */
export function selfSignedCertificate(keyFile: string, certFile: string, cn: string): void {
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2'],
      ...['-keyout', keyFile, '-out', certFile, '-subj', `/CN=${cn}`],
    ],
    { stdio: 'pipe' },
  );
}
