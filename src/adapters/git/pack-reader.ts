/**
 * A read-only object store over the packfiles of a (shallow) clone, for the hot path of remote mode:
 * reading thousands of trees and blobs.
 *
 * Why not `git.readBlob`/`git.readTree`: each call first tries a loose object (a failed `open`), lists
 * `objects/pack`, inflates with pako and re-resolves the whole delta chain of every object; on 2,000 files
 * that cost 1.2 ms per blob, mostly syscalls, garbage and repeated inflation (bench: scripts/bench-git.mjs).
 * Here the `.idx` files are parsed once, objects are inflated with node:zlib from an exact slice, and
 * resolved delta bases are kept in a small byte-bounded cache, so each object is inflated about once.
 * Objects that are not in a pack (the few loose objects this run wrote) fall back to isomorphic-git.
 */
import fs from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { inflateSync } from 'node:zlib';

import git from 'isomorphic-git';

export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag';

export interface GitObject {
  type: ObjectType;
  data: Buffer;
}

interface Pack {
  name: string;
  data: Buffer;
  /** Offsets of every object, ascending, to find where an entry ends. */
  sorted: number[];
}

const TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;

/** Git's delta format: source size, target size, then copy / insert instructions. */
export function applyDelta(delta: Buffer, base: Buffer): Buffer {
  let pos = 0;
  const varint = () => {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = delta[pos++]!;
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  const sourceSize = varint();
  if (sourceSize !== base.length) throw new Error(`delta base size ${base.length}, expected ${sourceSize}`);
  const out = Buffer.allocUnsafe(varint());
  let o = 0;
  while (pos < delta.length) {
    const op = delta[pos++]!;
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let i = 0; i < 4; i++) if (op & (1 << i)) offset += delta[pos++]! * 2 ** (8 * i);
      for (let i = 0; i < 3; i++) if (op & (0x10 << i)) size += delta[pos++]! * 2 ** (8 * i);
      if (size === 0) size = 0x10000;
      o += base.copy(out, o, offset, offset + size);
    } else if (op > 0) {
      o += delta.copy(out, o, pos, pos + op);
      pos += op;
    } else {
      throw new Error('invalid delta opcode 0');
    }
  }
  if (o !== out.length) throw new Error(`delta produced ${o} bytes, expected ${out.length}`);
  return out;
}

/** Byte-bounded LRU of resolved objects by pack offset (Map keeps insertion order). */
export class BaseCache<K = string> {
  private readonly map = new Map<K, GitObject>();
  private bytes = 0;
  constructor(private readonly limit: number) {}
  get(key: K): GitObject | undefined {
    const hit = this.map.get(key);
    if (hit) {
      this.map.delete(key);
      this.map.set(key, hit);
    }
    return hit;
  }
  set(key: K, value: GitObject): void {
    if (value.data.length > this.limit / 4 || this.map.has(key)) return;
    this.map.set(key, value);
    this.bytes += value.data.length;
    for (const [k, v] of this.map) {
      if (this.bytes <= this.limit) break;
      this.map.delete(k);
      this.bytes -= v.data.length;
    }
  }
}

export class PackReader {
  private packs: Pack[] | null = null;
  private readonly index = new Map<string, { pack: Pack; offset: number }>();
  private readonly bases = new BaseCache(32 * 2 ** 20);

  constructor(
    private readonly gitdir: string,
    private readonly cache: object,
    /** Objects this run wrote and still holds in memory. */
    private readonly lookup: (oid: string) => GitObject | undefined = () => undefined,
  ) {}

  /** Forget the pack list (after a fetch added a pack). */
  reset(): void {
    this.packs = null;
    this.index.clear();
  }

  private async load(): Promise<void> {
    if (this.packs) return;
    const dir = path.join(this.gitdir, 'objects', 'pack');
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.idx'));
    const packs: Pack[] = [];
    for (const name of names) {
      const idx = await readFile(path.join(dir, name));
      const data = await readFile(path.join(dir, name.replace(/\.idx$/, '.pack')));
      const pack: Pack = { name, data, sorted: [] };
      // .idx v2: magic, version, 256 fanout entries, n oids, n CRCs, n 4-byte offsets, large offsets.
      if (idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2)
        throw new Error(`unsupported pack index ${name}`);
      const n = idx.readUInt32BE(8 + 255 * 4);
      const oids = 8 + 256 * 4;
      const offsets = oids + n * 20 + n * 4;
      const large = offsets + n * 4;
      for (let i = 0; i < n; i++) {
        let offset = idx.readUInt32BE(offsets + i * 4);
        if (offset & 0x80000000) offset = Number(idx.readBigUInt64BE(large + (offset & 0x7fffffff) * 8));
        const oid = idx.toString('hex', oids + i * 20, oids + i * 20 + 20);
        if (!this.index.has(oid)) this.index.set(oid, { pack, offset });
        pack.sorted.push(offset);
      }
      pack.sorted.sort((a, b) => a - b);
      packs.push(pack);
    }
    this.packs = packs;
  }

  async read(oid: string): Promise<GitObject> {
    await this.load();
    const hit = this.index.get(oid);
    if (hit) return this.readAt(hit.pack, hit.offset);
    const mine = this.lookup(oid);
    if (mine) return mine;
    // Loose objects (written by this run) and anything unusual: isomorphic-git knows them all.
    const obj = await git.readObject({ fs, gitdir: this.gitdir, oid, format: 'content', cache: this.cache });
    return { type: obj.type as ObjectType, data: Buffer.from(obj.object as Uint8Array) };
  }

  private async readAt(pack: Pack, start: number): Promise<GitObject> {
    const cached = this.bases.get(`${pack.name}:${start}`);
    if (cached) return cached;
    const buf = pack.data;
    let pos = start;
    let byte = buf[pos++]!;
    const kind = (byte >> 4) & 7;
    let size = byte & 15;
    let shift = 4;
    while (byte & 0x80) {
      byte = buf[pos++]!;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    }
    let base: GitObject | null = null;
    if (kind === OFS_DELTA) {
      byte = buf[pos++]!;
      let rel = byte & 0x7f;
      while (byte & 0x80) {
        byte = buf[pos++]!;
        rel = (rel + 1) * 128 + (byte & 0x7f);
      }
      base = await this.readAt(pack, start - rel);
      // A base is often shared by many deltas (sibling manifests): keep it resolved.
      this.bases.set(`${pack.name}:${start - rel}`, base);
    } else if (kind === REF_DELTA) {
      base = await this.read(buf.toString('hex', pos, pos + 20));
      pos += 20;
    } else if (!TYPES[kind]) {
      throw new Error(`unknown pack object type ${kind} at offset ${start}`);
    }
    const end = this.nextOffset(pack, start);
    const raw = inflateSync(buf.subarray(pos, end));
    if (raw.length !== size)
      throw new Error(`pack object at ${start}: ${raw.length} bytes, expected ${size}`);
    if (base) return { type: base.type, data: applyDelta(raw, base.data) };
    return { type: TYPES[kind]!, data: raw };
  }

  private nextOffset(pack: Pack, start: number): number {
    const s = pack.sorted;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]! <= start) lo = mid + 1;
      else hi = mid;
    }
    return lo < s.length ? s[lo]! : pack.data.length - 20;
  }
}

export interface RawTreeEntry {
  mode: string;
  path: string;
  oid: string;
  type: 'blob' | 'tree' | 'commit';
}

/** Parses a tree object: `<mode> <name>\0<20-byte oid>` repeated. */
export function parseTree(data: Buffer): RawTreeEntry[] {
  const entries: RawTreeEntry[] = [];
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const nul = data.indexOf(0, space);
    let mode = data.toString('latin1', pos, space);
    if (mode.length === 5) mode = `0${mode}`;
    const name = data.toString('utf8', space + 1, nul);
    const oid = data.toString('hex', nul + 1, nul + 21);
    const type = mode === '040000' ? 'tree' : mode === '160000' ? 'commit' : 'blob';
    entries.push({ mode, path: name, oid, type });
    pos = nul + 21;
  }
  return entries;
}
