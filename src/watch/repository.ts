/**
 * The watcher's one repository: opened by the first run (with the credentials and limits `apply` works
 * out), then kept for the life of the process and lent to every later run. In URL mode that is one clone
 * in a temporary folder, brought up to date with `git fetch` (the workspace's `refresh`), never cloned
 * again per change; a local checkout is re-read from its own folder. `close` removes the clone.
 */
import type { OpenWorkspaceOptions } from '../adapters/git/index.js';
import type { Workspace } from '../core/ports.js';

export class PersistentRepository {
  private ws: Workspace | null = null;
  private opening: Promise<Workspace> | null = null;

  constructor(private readonly openWorkspace: (opts: OpenWorkspaceOptions) => Promise<Workspace>) {}

  /** The opener a run uses (`Io.openWorkspace`): the kept workspace, fetched first, never closed by the run. */
  readonly open = async (opts: OpenWorkspaceOptions): Promise<Workspace> => {
    if (this.ws && opts.branch !== undefined && opts.branch !== this.ws.branch) {
      // The config names another base branch than the one first opened: that one is kept instead.
      await this.close();
    }
    if (this.ws) {
      await this.ws.refresh();
      return borrowed(this.ws);
    }
    this.opening ??= this.openWorkspace(opts);
    try {
      this.ws = await this.opening;
    } finally {
      this.opening = null;
    }
    return borrowed(this.ws);
  };

  /** The kept workspace, once a run has opened it. */
  get workspace(): Workspace | null {
    return this.ws;
  }

  /**
   * Fetches the base branch; true when its head moved (someone pushed), so the manifests are read again.
   * False before the first run opened the repository.
   */
  async fetch(): Promise<boolean> {
    if (!this.ws) return false;
    const before = this.ws.head;
    await this.ws.refresh();
    return this.ws.head !== before;
  }

  async close(): Promise<void> {
    const ws = this.ws;
    this.ws = null;
    await ws?.close();
  }
}

/** The workspace as a run sees it: everything but `close`, which stays with the owner. */
function borrowed(ws: Workspace): Workspace {
  return new Proxy(ws, {
    get(target, prop) {
      if (prop === 'close') return async () => {};
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
