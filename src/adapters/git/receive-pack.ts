/**
 * A minimal smart-HTTP push (`git-receive-pack`, protocol v1) of a pack this run built itself.
 * Ref discovery goes through isomorphic-git (`listServerRefs`, which runs `onAuth`), the POST through
 * isomorphic-git's own Node HTTP client with the credentials `onAuth` returned (as isomorphic-git's push
 * does internally); the token is never put in a URL or a message.
 */
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';

import type { GitAuth } from './remote-url.js';

export interface RemoteAuthState {
  /** Credentials `onAuth` handed out during discovery, reused for the POST. */
  given: { username: string; password: string } | null;
}

export function authCallbacks(auth: GitAuth | undefined, state?: RemoteAuthState) {
  return {
    onAuth: () => {
      if (!auth) return { cancel: true };
      const given = { username: auth.username, password: auth.token };
      if (state) state.given = given;
      return given;
    },
    // A rejected token is not retried: isomorphic-git would otherwise ask again in a loop.
    onAuthFailure: () => ({ cancel: true }),
  };
}

/** The branch's commit on the remote as the receive-pack service advertises it, or null when absent. */
export async function remoteBranchHead(
  url: string,
  branch: string,
  auth: GitAuth | undefined,
  state: RemoteAuthState,
) {
  const ref = `refs/heads/${branch}`;
  const refs = await git.listServerRefs({
    http,
    url,
    forPush: true,
    protocolVersion: 1,
    prefix: ref,
    ...authCallbacks(auth, state),
  });
  return refs.find((r) => r.ref === ref)?.oid ?? null;
}

export function pktLine(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0'), 'latin1'), body]);
}

function* readPktLines(buf: Buffer): Generator<Buffer | null> {
  let pos = 0;
  while (pos + 4 <= buf.length) {
    const len = Number.parseInt(buf.toString('latin1', pos, pos + 4), 16);
    if (Number.isNaN(len)) return;
    if (len < 4) {
      yield null; // flush / delimiter
      pos += 4;
      continue;
    }
    yield buf.subarray(pos + 4, pos + len);
    pos += len;
  }
}

export interface ReceivePackOutcome {
  status: number;
  /** true when the server unpacked the pack and updated the ref. */
  ok: boolean;
  /** The server's reason for the ref (`ng <ref> <reason>`), or the unpack error. */
  error: string | null;
  /** Side-band progress lines (`remote: ...`): hook output and server errors. */
  messages: string[];
}

export async function sendReceivePack(opts: {
  url: string;
  branch: string;
  oldOid: string;
  newOid: string;
  pack: Buffer;
  state: RemoteAuthState;
}): Promise<ReceivePackOutcome> {
  const ref = `refs/heads/${opts.branch}`;
  const body = Buffer.concat([
    pktLine(`${opts.oldOid} ${opts.newOid} ${ref}\0report-status side-band-64k agent=vault-rollout\n`),
    Buffer.from('0000', 'latin1'),
    opts.pack,
  ]);
  const headers: Record<string, string> = {
    'content-type': 'application/x-git-receive-pack-request',
    accept: 'application/x-git-receive-pack-result',
    'user-agent': 'git/vault-rollout',
  };
  if (opts.state.given) {
    const { username, password } = opts.state.given;
    headers['authorization'] = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }
  const res = await http.request({
    url: `${opts.url.replace(/\/$/, '')}/git-receive-pack`,
    method: 'POST',
    headers,
    body: (async function* () {
      yield new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    })(),
  });
  const chunks: Buffer[] = [];
  if (res.body) for await (const c of res.body) chunks.push(Buffer.from(c));
  const raw = Buffer.concat(chunks);
  const messages: string[] = [];
  if (res.statusCode !== 200)
    return { status: res.statusCode, ok: false, error: `HTTP ${res.statusCode}`, messages };

  // Side-band 64k: band 1 carries the report-status pkt-lines, 2 progress, 3 a fatal error.
  const report: Buffer[] = [];
  let fatal: string | null = null;
  for (const pkt of readPktLines(raw)) {
    if (!pkt || pkt.length === 0) continue;
    const band = pkt[0];
    if (band === 1) report.push(pkt.subarray(1));
    else if (band === 2)
      messages.push(
        ...pkt
          .subarray(1)
          .toString('utf8')
          .split(/[\r\n]+/)
          .filter(Boolean),
      );
    else if (band === 3) fatal = pkt.subarray(1).toString('utf8').trim();
  }
  let unpack: string | null = null;
  let refOk = false;
  let refError: string | null = null;
  for (const line of readPktLines(Buffer.concat(report))) {
    if (!line) continue;
    const text = line.toString('utf8').replace(/\n$/, '');
    if (text.startsWith('unpack ')) unpack = text.slice('unpack '.length);
    else if (text === `ok ${ref}`) refOk = true;
    else if (text.startsWith(`ng ${ref} `)) refError = text.slice(`ng ${ref} `.length);
  }
  if (fatal) return { status: 200, ok: false, error: fatal, messages };
  if (unpack !== 'ok')
    return { status: 200, ok: false, error: `unpack failed: ${unpack ?? 'no report'}`, messages };
  return { status: 200, ok: refOk, error: refOk ? null : (refError ?? 'no status for the ref'), messages };
}
