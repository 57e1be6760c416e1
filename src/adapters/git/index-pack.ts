/**
 * Indexes a received packfile in memory (what `git index-pack` does): walks every entry once, inflating
 * it with node:zlib to find where it ends, resolves ofs/ref deltas with {@link applyDelta}, computes each
 * object's SHA-1 with node:crypto and the entry's CRC-32, then writes the `.pack` unchanged with its v2
 * `.idx` ({@link packIndex}) so PackReader, isomorphic-git and git read it.
 *
 * Memory: the pack, one entry record per object, and a byte-bounded cache of resolved objects. Git writes
 * a delta close after its base, so the cache almost always holds the base; a miss re-inflates the base
 * (and its chain) from the pack. No object is kept beyond the cache.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32, inflateSync } from 'node:zlib';

import { applyDelta, BaseCache, type GitObject, type ObjectType } from './pack-reader.js';
import { ProtocolError } from './upload-pack.js';
import { packEntry, packIndex, type PackEntry } from './write-objects.js';

const TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;

export interface IndexedPack {
  /** The pack as written: the one received, or with the bases of a thin pack appended. */
  pack: Buffer;
  entries: PackEntry[];
  /** The pack's trailing checksum (its name is `pack-<hex>`). */
  packSha: Buffer;
}

export interface IndexPackOptions {
  /**
   * Objects already here that a REF_DELTA of a thin pack may name as its base. They are appended to the
   * pack as whole objects (`git index-pack --fix-thin`), so every pack on disk stays self-contained.
   */
  external?: (oid: string) => Promise<GitObject | undefined>;
  onProgress?: ((e: { phase: string; loaded: number; total?: number }) => void) | undefined;
  /** Bytes of resolved objects kept for delta bases (default 48 MiB). */
  cacheBytes?: number;
}

function bad(msg: string): ProtocolError {
  return new ProtocolError(`the received pack is invalid: ${msg}`);
}

/**
 * @throws ProtocolError for a truncated or corrupt pack, a checksum mismatch, or a delta whose base is absent.
 */
export async function indexPack(pack: Buffer, opts: IndexPackOptions = {}): Promise<IndexedPack> {
  if (pack.length < 32 || pack.toString('latin1', 0, 4) !== 'PACK') throw bad('no PACK header');
  const version = pack.readUInt32BE(4);
  if (version !== 2 && version !== 3) throw bad(`version ${version}`);
  const count = pack.readUInt32BE(8);
  const bodyEnd = pack.length - 20;
  const packSha = pack.subarray(bodyEnd);
  if (!createHash('sha1').update(pack.subarray(0, bodyEnd)).digest().equals(packSha)) {
    throw bad('checksum mismatch');
  }

  const offsets = new Float64Array(count);
  const dataStarts = new Float64Array(count);
  const ends = new Float64Array(count);
  const kinds = new Uint8Array(count);
  /** Index of the ofs-delta base, or -1. */
  const baseIndex = new Int32Array(count).fill(-1);
  const baseOids: (string | undefined)[] = new Array(count);
  const oids: (string | undefined)[] = new Array(count);
  const crcs = new Uint32Array(count);
  const byOffset = new Map<number, number>();
  const byOid = new Map<string, number>();
  /** Bases of a thin pack, from `opts.external`. */
  const externals = new Map<string, GitObject>();
  const cache = new BaseCache<number>(opts.cacheBytes ?? 48 * 2 ** 20);

  const hash = (i: number, obj: GitObject) => {
    const oid = createHash('sha1').update(`${obj.type} ${obj.data.length}\0`).update(obj.data).digest('hex');
    oids[i] = oid;
    if (!byOid.has(oid)) byOid.set(oid, i);
  };

  /** The object of entry `i`, whose base (if any) is resolved already. */
  const resolve = (i: number): GitObject => {
    const hit = cache.get(i);
    if (hit) return hit;
    const raw = inflateSync(pack.subarray(dataStarts[i], ends[i]));
    let obj: GitObject;
    const kind = kinds[i]!;
    if (kind === OFS_DELTA || kind === REF_DELTA) {
      const base = baseOf(i);
      if (!base) throw bad(`delta at offset ${offsets[i]} has no base`);
      obj = { type: base.type, data: applyDelta(raw, base.data) };
    } else {
      obj = { type: TYPES[kind]!, data: raw };
    }
    cache.set(i, obj);
    return obj;
  };

  /** The base of delta `i`, or undefined when it is not known yet (a REF_DELTA to a later entry). */
  const baseOf = (i: number): GitObject | undefined => {
    if (kinds[i] === OFS_DELTA) {
      const b = baseIndex[i]!;
      return oids[b] !== undefined ? resolve(b) : undefined;
    }
    const oid = baseOids[i]!;
    const b = byOid.get(oid);
    if (b !== undefined) return resolve(b);
    return externals.get(oid);
  };

  const deferred: number[] = [];
  let pos = 12;
  for (let i = 0; i < count; i++) {
    if (pos >= bodyEnd) throw bad(`${count} objects announced, ${i} found`);
    const start = pos;
    let byte = pack[pos++]!;
    const kind = (byte >> 4) & 7;
    let size = byte & 15;
    let shift = 4;
    while (byte & 0x80) {
      byte = pack[pos++]!;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    }
    if (kind === OFS_DELTA) {
      byte = pack[pos++]!;
      let rel = byte & 0x7f;
      while (byte & 0x80) {
        byte = pack[pos++]!;
        rel = (rel + 1) * 128 + (byte & 0x7f);
      }
      const b = byOffset.get(start - rel);
      if (b === undefined) throw bad(`delta at offset ${start} points to no object`);
      baseIndex[i] = b;
    } else if (kind === REF_DELTA) {
      baseOids[i] = pack.toString('hex', pos, pos + 20);
      pos += 20;
    } else if (!TYPES[kind]) {
      throw bad(`unknown object type ${kind} at offset ${start}`);
    }
    let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      // One output chunk of the announced size (+1 so zlib sees the stream end without a second chunk):
      // the default 16 KiB chunk per object cost more in allocation and copying than the inflation.
      inflated = inflateSync(pack.subarray(pos, bodyEnd), {
        info: true,
        chunkSize: Math.max(64, size + 1),
      }) as unknown as typeof inflated;
    } catch (err) {
      throw bad(`object at offset ${start}: ${(err as Error).message}`);
    }
    const raw = inflated.buffer;
    if (raw.length !== size) throw bad(`object at offset ${start}: ${raw.length} bytes, expected ${size}`);
    offsets[i] = start;
    dataStarts[i] = pos;
    kinds[i] = kind;
    pos += inflated.engine.bytesWritten;
    ends[i] = pos;
    crcs[i] = crc32(pack.subarray(start, pos));
    byOffset.set(start, i);

    let obj: GitObject | undefined;
    if (kind === OFS_DELTA || kind === REF_DELTA) {
      const base = baseOf(i);
      if (base) obj = { type: base.type, data: applyDelta(raw, base.data) };
    } else {
      obj = { type: TYPES[kind]!, data: raw };
    }
    if (obj) {
      hash(i, obj);
      cache.set(i, obj);
    } else {
      deferred.push(i);
    }
    if (opts.onProgress && i % 2000 === 1999)
      opts.onProgress({ phase: 'Indexing pack', loaded: i + 1, total: count });
  }
  if (pos !== bodyEnd) throw bad(`${bodyEnd - pos} bytes after the last object`);

  // REF_DELTAs to later entries (and deltas on top of them): resolve until no progress is made.
  let todo = deferred;
  while (todo.length > 0) {
    const next: number[] = [];
    for (const i of todo) {
      const base = baseOf(i);
      if (!base) {
        next.push(i);
        continue;
      }
      const data = applyDelta(inflateSync(pack.subarray(dataStarts[i], ends[i])), base.data);
      const obj = { type: base.type, data };
      hash(i, obj);
      cache.set(i, obj);
    }
    if (next.length === todo.length) {
      // Bases outside the pack: a thin pack, whose bases are objects already here.
      const missing = new Set(next.map((i) => baseOids[i]).filter((o) => o !== undefined && !byOid.has(o)));
      let found = 0;
      for (const oid of missing) {
        const obj = oid && !externals.has(oid) ? await opts.external?.(oid) : undefined;
        if (obj && oid) {
          externals.set(oid, obj);
          found++;
        }
      }
      if (found > 0) continue;
      const i = next[0]!;
      throw bad(
        `delta at offset ${offsets[i]} needs ${baseOids[i] ?? `the object at ${offsets[baseIndex[i]!]}`}, which is not in the pack`,
      );
    }
    todo = next;
  }
  opts.onProgress?.({ phase: 'Indexing pack', loaded: count, total: count });

  const entries: PackEntry[] = new Array(count);
  for (let i = 0; i < count; i++) entries[i] = { oid: oids[i]!, offset: offsets[i]!, crc: crcs[i]! };
  if (externals.size === 0) return { pack, entries, packSha: Buffer.from(packSha) };
  return appendBases(pack, entries, externals);
}

/** Appends whole objects to a pack: new object count, new trailing checksum (so a new pack name). */
function appendBases(pack: Buffer, entries: PackEntry[], bases: Map<string, GitObject>): IndexedPack {
  const parts: Buffer[] = [pack.subarray(0, pack.length - 20)];
  let offset = pack.length - 20;
  for (const [oid, obj] of bases) {
    const entry = packEntry(obj.type, obj.data);
    entries.push({ oid, offset, crc: crc32(entry) });
    parts.push(entry);
    offset += entry.length;
  }
  const body = Buffer.concat(parts);
  body.writeUInt32BE(entries.length, 8);
  const packSha = createHash('sha1').update(body).digest();
  return { pack: Buffer.concat([body, packSha]), entries, packSha };
}

/**
 * Writes `objects/pack/pack-<sha>.pack` and its `.idx` (the index last, each through a temporary name, so a
 * reader never sees an index without its whole pack). Returns the pack's base name.
 */
export async function writePackFiles(gitdir: string, indexed: IndexedPack): Promise<string> {
  const dir = path.join(gitdir, 'objects', 'pack');
  await mkdir(dir, { recursive: true });
  const name = `pack-${indexed.packSha.toString('hex')}`;
  const put = async (file: string, data: Buffer) => {
    const tmp = path.join(dir, `tmp_${file}`);
    await writeFile(tmp, data);
    await rename(tmp, path.join(dir, file));
  };
  await put(`${name}.pack`, indexed.pack);
  await put(`${name}.idx`, packIndex(indexed.entries, indexed.packSha));
  return name;
}
