/**
 * A real OpenSSH server on 127.0.0.1 for Git-over-SSH tests: Debian's `openssh-server` (`/usr/sbin/sshd`),
 * run in the foreground with a configuration of its own (a fresh host key, one client key, the bare
 * repositories reached by absolute path). git on the client side runs `ssh`, which runs `git-upload-pack`
 * / `git-receive-pack` on this server, exactly as against a Git host.
 *
 * sshd needs root (it switches users and chroots its privilege-separation child) and the binary; where
 * either is missing, `startSshd` returns null with the reason and the suites skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { runGit } from './git-server.js';

const SSHD = '/usr/sbin/sshd';

export interface Sshd {
  port: number;
  /** `ssh://<user>@127.0.0.1:<port><absolute path>` for a repository on this machine. */
  url(repoPath: string): string;
  /** The `core.sshCommand` a client uses: our key, our known-hosts file, no agent, no prompts. */
  sshCommand: string;
  /** The client's private key (authorized on this server), as a deploy key is. */
  keyFile: string;
  /** A known-hosts file holding this server's host key for `[127.0.0.1]:<port>`. */
  knownHostsFile: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => done(port));
    });
  });
}

/** Why sshd cannot run here, or null when it can. */
export function sshdUnavailable(): string | null {
  if (!existsSync(SSHD)) return `${SSHD} not found (Debian package openssh-server)`;
  if (process.getuid?.() !== 0) return 'sshd needs root to start';
  return null;
}

export async function startSshd(): Promise<Sshd | null> {
  if (sshdUnavailable()) return null;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vr-sshd-'));
  const keygen = (file: string) =>
    new Promise<void>((done, fail) => {
      const c = spawn('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { stdio: 'ignore' });
      c.on('error', fail);
      c.on('close', (code) => (code === 0 ? done() : fail(new Error(`ssh-keygen exited ${code}`))));
    });
  await keygen(path.join(dir, 'host_key'));
  await keygen(path.join(dir, 'client_key'));
  await writeFile(path.join(dir, 'authorized_keys'), await readFile(path.join(dir, 'client_key.pub')));
  // The privilege-separation folder sshd insists on (systemd creates it on a booted machine).
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${path.join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin prohibit-password',
    'StrictModes no',
    'UsePAM no',
    'LogLevel ERROR',
  ].join('\n');
  await writeFile(path.join(dir, 'sshd_config'), `${config}\n`);
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const known = path.join(dir, 'known_hosts');
  const hostPub = (await readFile(path.join(dir, 'host_key.pub'), 'utf8')).trim();
  await writeFile(known, `[127.0.0.1]:${port} ${hostPub}\n`);
  const sshCommand = [
    'ssh',
    `-i ${path.join(dir, 'client_key')}`,
    `-o UserKnownHostsFile=${known}`,
    '-o StrictHostKeyChecking=yes',
    '-o IdentitiesOnly=yes',
    '-o BatchMode=yes',
    '-F /dev/null',
  ].join(' ');
  const user = os.userInfo().username;
  const sshd: Sshd = {
    port,
    url: (repoPath) => `ssh://${user}@127.0.0.1:${port}${repoPath}`,
    sshCommand,
    keyFile: path.join(dir, 'client_key'),
    knownHostsFile: known,
    close: async () => {
      if (child.exitCode === null) {
        const gone = new Promise((done) => child.once('close', done));
        child.kill('SIGTERM');
        await gone;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  // Ready when a connection is accepted: ls-remote of a path that does not exist gets an answer from the
  // remote side (an error message), not a refused connection.
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited ${child.exitCode}: ${stderr}`);
    try {
      await runGit(['-c', `core.sshCommand=${sshCommand}`, 'ls-remote', sshd.url('/nonexistent.git')], {
        env: { PATH: process.env['PATH'], HOME: dir, GIT_TERMINAL_PROMPT: '0' },
      });
    } catch (err) {
      if (!/Connection refused/i.test(String(err))) break;
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    break;
  }
  return sshd;
}
