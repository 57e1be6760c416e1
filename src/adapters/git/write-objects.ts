/**
 * Writes Git objects (node:crypto SHA-1, node:zlib deflate) and remembers every object written, so
 * the push can send exactly those: the blobs, the trees on the changed paths and the commit.
 *
 * Objects are kept in memory and written to disk by `flush()` as ONE packfile with its index, not as
 * loose objects: an adoption commit of 5,000 files also writes ~5,000 trees, and creating 10,000 small
 * files cost 2.5 s in `open` alone on this machine (bench), against two files for a pack.
 *
 * isomorphic-git's writeBlob/writeTree/writeCommit work too, but its push then lists every object of the
 * base and new trees to find what to send (about 1 s on 10,000 files, scripts/bench-git.mjs); this run
 * already knows the answer.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { ObjectType } from './pack-reader.js';

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
  /** Written since the last flush, not on disk yet. */
  private pending: WrittenObject[] = [];

  constructor(private readonly gitdir: string) {}

  async write(type: WritableType, data: Buffer): Promise<string> {
    const header = Buffer.from(`${type} ${data.length}\0`);
    const oid = createHash('sha1').update(header).update(data).digest('hex');
    if (this.written.has(oid)) return oid;
    const obj = { oid, type, data };
    this.written.set(oid, obj);
    this.pending.push(obj);
    return oid;
  }

  /**
   * Writes the pending objects as `objects/pack/pack-<sha>.{pack,idx}`, so isomorphic-git and git see
   * them (refs, the index and later fetches need them on disk). The `.idx` is written last: a reader
   * never finds an index without its pack.
   */
  flush(): void {
    if (this.pending.length === 0) return;
    const { pack, entries } = packObjects(this.pending);
    const packSha = pack.subarray(pack.length - 20);
    const name = `pack-${packSha.toString('hex')}`;
    const dir = path.join(this.gitdir, 'objects', 'pack');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${name}.pack`), pack);
    writeFileSync(path.join(dir, `${name}.idx`), packIndex(entries, packSha));
    this.pending = [];
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

const PACK_TYPES: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };

/** One whole (undeltified) pack entry: the type-and-size header, then the deflated object. */
export function packEntry(type: ObjectType, data: Buffer): Buffer {
  const head: number[] = [];
  let size = data.length;
  let byte = (PACK_TYPES[type] << 4) | (size & 15);
  size = Math.floor(size / 16);
  while (size > 0) {
    head.push(byte | 0x80);
    byte = size & 0x7f;
    size = Math.floor(size / 128);
  }
  head.push(byte);
  return Buffer.concat([Buffer.from(head), deflateSync(data)]);
}

export interface PackEntry {
  oid: string;
  offset: number;
  crc: number;
}

/** A version-2 packfile of whole (undeltified) objects, with where each object starts. */
export function packObjects(objects: readonly WrittenObject[]): { pack: Buffer; entries: PackEntry[] } {
  const parts: Buffer[] = [];
  const entries: PackEntry[] = [];
  const head = Buffer.alloc(12);
  head.write('PACK', 0, 'latin1');
  head.writeUInt32BE(2, 4);
  head.writeUInt32BE(objects.length, 8);
  parts.push(head);
  let offset = head.length;
  for (const o of objects) {
    const entry = packEntry(o.type, o.data);
    entries.push({ oid: o.oid, offset, crc: crc32(entry) });
    parts.push(entry);
    offset += entry.length;
  }
  const body = Buffer.concat(parts);
  return { pack: Buffer.concat([body, createHash('sha1').update(body).digest()]), entries };
}

/** A version-2 packfile of whole (undeltified) objects. */
export function buildPack(objects: WrittenObject[]): Buffer {
  return packObjects(objects).pack;
}

/**
 * The version-2 `.idx` of a pack: fan-out, sorted ids, CRC-32s, 32-bit offsets (with the 64-bit table for
 * offsets past 2 GiB), checksums.
 */
export function packIndex(entries: readonly PackEntry[], packSha: Buffer): Buffer {
  const sorted = [...entries].sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0));
  const n = sorted.length;
  const large = sorted.filter((e) => e.offset >= 0x80000000).length;
  const buf = Buffer.alloc(8 + 256 * 4 + n * 28 + large * 8 + 20);
  buf.writeUInt32BE(0xff744f63, 0); // "\377tOc"
  buf.writeUInt32BE(2, 4);
  let pos = 8;
  let k = 0;
  for (let b = 0; b < 256; b++) {
    while (k < n && parseInt(sorted[k]!.oid.slice(0, 2), 16) <= b) k++;
    buf.writeUInt32BE(k, pos);
    pos += 4;
  }
  for (const e of sorted) pos += buf.write(e.oid, pos, 'hex');
  for (const e of sorted) pos = buf.writeUInt32BE(e.crc >>> 0, pos);
  const largeOffsets: number[] = [];
  for (const e of sorted) {
    if (e.offset < 0x80000000) {
      pos = buf.writeUInt32BE(e.offset, pos);
    } else {
      pos = buf.writeUInt32BE((0x80000000 | largeOffsets.length) >>> 0, pos);
      largeOffsets.push(e.offset);
    }
  }
  for (const offset of largeOffsets) pos = buf.writeBigUInt64BE(BigInt(offset), pos);
  pos += packSha.copy(buf, pos);
  return Buffer.concat([buf.subarray(0, pos), createHash('sha1').update(buf.subarray(0, pos)).digest()]);
}
