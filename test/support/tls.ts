/** A self-signed certificate for 127.0.0.1, for the TLS variants of the Vault and Git test servers. */
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

export interface TestCert {
  key: string;
  cert: string;
  /** The certificate's PEM file (what a client is told to trust). */
  certFile: string;
}

/** Writes `key.pem` and `cert.pem` (EC P-256, one day, SAN IP:127.0.0.1) into `dir` and returns them. */
export async function selfSignedCert(dir: string): Promise<TestCert> {
  await mkdir(dir, { recursive: true });
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  // Spawned asynchronously (never execSync next to an in-process server).
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8'), certFile };
}
