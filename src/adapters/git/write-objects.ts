/**
 * Writes loose Git objects (node:crypto SHA-1, node:zlib deflate) and remembers every object written, so
 * the push can send exactly those: the blobs, the trees on the changed paths and the commit.
 *
 * isomorphic-git's writeBlob/writeTree/writeCommit work too, but its push then lists every object of the
 * base and new trees to find what to send (about 1 s on 10,000 files, scripts/bench-git.mjs); this run
 * already knows the answer.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

export type WritableType = 'blob' | 'tree' | 'commit';

export interface WrittenObject {
  oid: string;
  type: WritableType;
  data: Buffer;
}

export interface TreeEntryInput {
  mode: string;
  path: string;
  oid: string;
}

export class ObjectWriter {
  /** Objects written by this writer, in order (a commit's children come before it). */
  readonly written = new Map<string, WrittenObject>();

  constructor(private readonly gitdir: string) {}

  async write(type: WritableType, data: Buffer): Promise<string> {
    const header = Buffer.from(`${type} ${data.length}\0`);
    const oid = createHash('sha1').update(header).update(data).digest('hex');
    if (this.written.has(oid)) return oid;
    const file = path.join(this.gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, deflateSync(Buffer.concat([header, data])), { flag: 'wx' }).catch(
      (err: unknown) => {
        // Already there (same content, same id): nothing to do.
        if ((err as { code?: string }).code !== 'EEXIST') throw err;
      },
    );
    this.written.set(oid, { oid, type, data });
    return oid;
  }

  writeTree(entries: TreeEntryInput[]): Promise<string> {
    return this.write('tree', serializeTree(entries));
  }

  writeCommit(c: {
    tree: string;
    parents: string[];
    author: { name: string; email: string };
    timestamp: number;
    message: string;
  }): Promise<string> {
    const who = `${clean(c.author.name)} <${clean(c.author.email)}> ${c.timestamp} +0000`;
    const lines = [
      `tree ${c.tree}`,
      ...c.parents.map((p) => `parent ${p}`),
      `author ${who}`,
      `committer ${who}`,
    ];
    const message = c.message.endsWith('\n') ? c.message : `${c.message}\n`;
    return this.write('commit', Buffer.from(`${lines.join('\n')}\n\n${message}`, 'utf8'));
  }

  /** The objects reachable from `commit` among those written (drops leftovers of an earlier attempt). */
  objectsOf(commit: string, read: (oid: string) => WrittenObject | undefined = (o) => this.written.get(o)) {
    const out: WrittenObject[] = [];
    const seen = new Set<string>();
    const visit = (oid: string) => {
      const obj = read(oid);
      if (!obj || seen.has(oid)) return;
      seen.add(oid);
      out.push(obj);
      if (obj.type === 'commit') {
        const m = /^tree ([0-9a-f]{40})/.exec(obj.data.toString('latin1', 0, 46));
        if (m?.[1]) visit(m[1]);
      } else if (obj.type === 'tree') {
        let pos = 0;
        const d = obj.data;
        while (pos < d.length) {
          const nul = d.indexOf(0, pos);
          visit(d.toString('hex', nul + 1, nul + 21));
          pos = nul + 21;
        }
      }
    };
    visit(commit);
    return out;
  }
}

/** Names and emails may not carry the characters that delimit them in a commit header. */
function clean(s: string): string {
  return s.replace(/[<>\n\r]/g, '').trim();
}

/** Git's tree order: bytewise, with a tree's name compared as if it ended in `/`. */
export function serializeTree(entries: TreeEntryInput[]): Buffer {
  const key = (e: TreeEntryInput) => Buffer.from(e.mode === '040000' ? `${e.path}/` : e.path, 'utf8');
  const sorted = [...entries].sort((a, b) => Buffer.compare(key(a), key(b)));
  return Buffer.concat(
    sorted.flatMap((e) => [
      Buffer.from(`${e.mode.replace(/^0+/, '')} ${e.path}\0`, 'utf8'),
      Buffer.from(e.oid, 'hex'),
    ]),
  );
}

const PACK_TYPES: Record<WritableType, number> = { commit: 1, tree: 2, blob: 3 };

/** A version-2 packfile of whole (undeltified) objects. */
export function buildPack(objects: WrittenObject[]): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(12);
  head.write('PACK', 0, 'latin1');
  head.writeUInt32BE(2, 4);
  head.writeUInt32BE(objects.length, 8);
  parts.push(head);
  for (const o of objects) {
    const bytes: number[] = [];
    let size = o.data.length;
    let byte = (PACK_TYPES[o.type] << 4) | (size & 15);
    size = Math.floor(size / 16);
    while (size > 0) {
      bytes.push(byte | 0x80);
      byte = size & 0x7f;
      size = Math.floor(size / 128);
    }
    bytes.push(byte);
    parts.push(Buffer.from(bytes), deflateSync(o.data));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}
