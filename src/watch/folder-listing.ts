/**
 * Reads the referenced secrets folder by folder where the server lists a folder's metadata in one
 * request (OpenBao 2.2+, `LIST <mount>/detailed-metadata/<folder>`), else secret by secret. Whether a
 * folder can be listed is found out once, by trying: Vault has no such endpoint, and a token may be
 * allowed to read each secret's metadata but not to list the folder. Either way the folder falls back to
 * per-secret reads for the rest of the process; polling every referenced secret stays the ground truth.
 *
 * Vault Enterprise's KV event subscription (`sys/events/subscribe`) is not used: it needs a WebSocket and
 * an Enterprise licence, and would only make a change seen sooner, never replace the poll.
 */
import type { SecretStatus } from '../core/model.js';
import type { VaultReader } from '../adapters/vault/index.js';

/** Folders seen to support the listing (`list`) or not (`read`), shared by every reader of one process. */
export type ListingSupport = Map<string, 'list' | 'read'>;

/** A folder is listed only when it holds at least this many referenced secrets; one secret is one read anyway. */
const MIN_SECRETS_TO_LIST = 2;
/** Folder listings sent at the same time (each is one request, however many secrets it answers for). */
const LISTINGS_IN_FLIGHT = 8;

const folderOf = (path: string): string => {
  const p = path.replace(/^\/+|\/+$/g, '');
  return p.slice(0, p.lastIndexOf('/') + 1);
};

export class FolderListingReader {
  constructor(
    private readonly inner: VaultReader,
    /** Detection results, keyed by `scope` + folder. */
    private readonly support: ListingSupport,
    /** Which Vault and namespace this reader talks to, so one server's answer never speaks for another. */
    private readonly scope: string,
  ) {}

  get stats(): VaultReader['stats'] {
    return this.inner.stats;
  }

  async read(paths: readonly string[]): Promise<Map<string, SecretStatus>> {
    const byFolder = new Map<string, string[]>();
    for (const p of new Set(paths)) {
      const folder = folderOf(p);
      byFolder.set(folder, [...(byFolder.get(folder) ?? []), p]);
    }
    const out = new Map<string, SecretStatus>();
    const oneByOne: string[] = [];
    const listable: [string, string[]][] = [];
    for (const [folder, group] of byFolder) {
      const key = `${this.scope}\u0000${folder}`;
      if (group.length < MIN_SECRETS_TO_LIST || this.support.get(key) === 'read') oneByOne.push(...group);
      else listable.push([key, group]);
    }
    const next = listable.entries();
    const worker = async () => {
      for (const [, [key, group]] of next) {
        const listed = await this.inner.readFolder(group);
        if (listed === null) {
          this.support.set(key, 'read');
          oneByOne.push(...group);
          continue;
        }
        this.support.set(key, 'list');
        for (const [p, status] of listed) out.set(p, status);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LISTINGS_IN_FLIGHT, listable.length) }, worker));
    if (oneByOne.length > 0) for (const [p, status] of await this.inner.read(oneByOne)) out.set(p, status);
    return out;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
