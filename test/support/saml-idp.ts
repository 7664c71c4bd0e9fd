import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from './self-signed.ts';

/**
 * A real SAML 2.0 IdP for the login tests: Debian's SimpleSAMLphp 1.19 under `php -S`, with a
 * configuration of its own in a temp dir (keys made with openssl), an `exampleauth:UserPass`
 * user list and one SP entry: ours. It runs the package's www dir as document root; a router
 * script maps the `/simplesaml/…` URLs SimpleSAMLphp generates onto it.
 */
export interface SamlIdp {
  /** Entity id and SSO URL (HTTP-Redirect) of the hosted IdP. */
  entityId: string;
  ssoUrl: string;
  /** PEM files of the IdP's signing certificate and key (a test may re-sign with the key). */
  certFile: string;
  keyFile: string;
  stop(): Promise<void>;
}

export interface IdpUser {
  username: string;
  password: string;
  /** SAML attributes by name; `nameid` becomes the NameID (format unspecified). */
  attributes: Record<string, string[]>;
}

const SSP = '/usr/share/simplesamlphp';

/** A TCP port nothing listens on right now (the caller binds it soon after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** PHP literal of a JSON-compatible value (strings, arrays, objects, booleans, numbers). */
function php(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(php).join(', ')}]`;
  return `[${Object.entries(value as object)
    .map(([k, v]) => `${php(k)} => ${php(v)}`)
    .join(',\n ')}]`;
}

const ROUTER = `<?php
// php -S serves the package's www dir; SimpleSAMLphp builds URLs under /simplesaml/.
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if (strpos($path, '/simplesaml/') !== 0) { http_response_code(404); return true; }
$rest = substr($path, strlen('/simplesaml'));
if (!preg_match('#^(/.*?\\.php)(/.*)?$#', $rest, $m)) { http_response_code(404); return true; }
$script = $_SERVER['DOCUMENT_ROOT'] . $m[1];
if (!is_file($script)) { http_response_code(404); return true; }
$_SERVER['SCRIPT_NAME'] = '/simplesaml' . $m[1];
$_SERVER['PHP_SELF'] = '/simplesaml' . $m[1] . ($m[2] ?? '');
$_SERVER['SCRIPT_FILENAME'] = $script;
if (isset($m[2])) { $_SERVER['PATH_INFO'] = $m[2]; } else { unset($_SERVER['PATH_INFO']); }
chdir(dirname($script));
require $script;
return true;
`;

export function simpleSamlPhpAvailable(): boolean {
  return existsSync(join(SSP, 'www', 'saml2', 'idp', 'SSOService.php'));
}

export async function startSamlIdp(options: {
  port: number;
  /** Our SP: entity id and its ACS URLs (HTTP-POST). */
  sp: { entityId: string; acsUrls: string[]; certFile?: string };
  users: IdpUser[];
}): Promise<SamlIdp> {
  if (!simpleSamlPhpAvailable()) {
    throw new Error(
      'SimpleSAMLphp is not installed (apt-get install simplesamlphp php-cli php-xml php-mbstring)',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'saml-idp-'));
  const p = (...f: string[]) => join(dir, ...f);
  for (const d of ['config', 'metadata', 'cert', 'tmp', 'log', 'data', 'sessions']) mkdirSync(p(d));
  selfSignedCertificate(p('cert', 'idp.key'), p('cert', 'idp.crt'), 'Test SAML IdP');
  const base = `http://127.0.0.1:${options.port}/simplesaml/`;
  const entityId = `${base}saml2/idp/metadata.php`;
  writeFileSync(
    p('config', 'config.php'),
    `<?php\n$config = ${php({
      baseurlpath: base,
      certdir: p('cert') + '/',
      loggingdir: p('log') + '/',
      datadir: p('data') + '/',
      tempdir: p('tmp'),
      metadatadir: p('metadata') + '/',
      cachedir: p('tmp'),
      secretsalt: 'test-salt-not-secret',
      auth: { adminpassword: 'unused-admin-password' },
      technicalcontact_email: 'test@example.org',
      timezone: 'UTC',
      'logging.level': 4,
      'logging.handler': 'file',
      'logging.logfile': 'simplesamlphp.log',
      'enable.saml20-idp': true,
      'module.enable': { exampleauth: true, core: true, saml: true, admin: true },
      'store.type': 'phpsession',
      'session.phpsession.savepath': p('sessions'),
      'session.cookie.secure': false,
      'session.cookie.samesite': null,
      'language.available': ['en'],
      'language.default': 'en',
      debug: { saml: false, backtraces: true, validatexml: false },
      showerrors: true,
    })};\n`,
  );
  const users: Record<string, Record<string, string[]>> = {};
  for (const u of options.users) users[`${u.username}:${u.password}`] = u.attributes;
  writeFileSync(
    p('config', 'authsources.php'),
    // PHP reads the key '0' as 0: the class name is the source's first element.
    `<?php\n$config = ${php({ admin: ['core:AdminPassword'], users: { 0: 'exampleauth:UserPass', ...users } })};\n`,
  );
  writeFileSync(
    p('metadata', 'saml20-idp-hosted.php'),
    `<?php\n$metadata['__DYNAMIC:1__'] = ${php({
      host: '__DEFAULT__',
      privatekey: 'idp.key',
      certificate: 'idp.crt',
      auth: 'users',
      'signature.algorithm': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      'attributes.NameFormat': 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
      authproc: {
        10: {
          class: 'saml:AttributeNameID',
          attribute: 'nameid',
          Format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
        },
      },
    })};\n`,
  );
  writeFileSync(
    p('metadata', 'saml20-sp-remote.php'),
    `<?php\n$metadata[${php(options.sp.entityId)}] = ${php({
      AssertionConsumerService: options.sp.acsUrls.map((url, index) => ({
        Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
        Location: url,
        index,
      })),
      NameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      'saml20.sign.assertion': true,
      'saml20.sign.response': false,
      'signature.algorithm': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      ...(options.sp.certFile
        ? { certificate: options.sp.certFile, 'validate.authnrequest': true }
        : { 'validate.authnrequest': false }),
    })};\n`,
  );
  writeFileSync(p('router.php'), ROUTER);

  const child: ChildProcess = spawn(
    'php',
    [
      '-d',
      `session.save_path=${p('sessions')}`,
      '-d',
      'display_errors=stderr',
      '-S',
      `127.0.0.1:${options.port}`,
      '-t',
      join(SSP, 'www'),
      p('router.php'),
    ],
    { env: { ...process.env, SIMPLESAMLPHP_CONFIG_DIR: p('config') }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  // Ready when the IdP answers its metadata.
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const res = await fetch(entityId);
      if (res.ok) break;
      if (Date.now() > deadline) throw new Error(`IdP metadata answered ${res.status}: ${await res.text()}`);
    } catch (err) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill();
        throw new Error(`SimpleSAMLphp did not start: ${String(err)}\n${output}`);
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    entityId,
    ssoUrl: `${base}saml2/idp/SSOService.php`,
    certFile: p('cert', 'idp.crt'),
    keyFile: p('cert', 'idp.key'),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      if (process.env.SAML_IDP_KEEP) console.log(`IdP dir kept: ${dir}\n${output}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function readPem(file: string): string {
  return readFileSync(file, 'utf8');
}
