/** The dev server's banner: the exports, the seeds (a long seed list is cut short), the commands to try. */
import { describe, expect, it } from 'vitest';
import { devServerBanner, parseSeed } from '../../src/dev-server.js';
import type { VaultDevServer } from '../../src/dev/vault-dev-server.js';

const server = { url: 'http://127.0.0.1:8200', rootToken: 'hvs.dev-root' } as VaultDevServer;
const seededLine = (banner: string) => banner.split('\n').find((l) => l.startsWith('Seeded:'));

describe('devServerBanner', () => {
  it('names every seed of a short list', () => {
    const banner = devServerBanner(server, parseSeed('kv/web/db@3,kv/web/api'), 'node dist/cli.js');
    expect(seededLine(banner)).toBe('Seeded: kv/web/db v3, kv/web/api v1');
    expect(banner).toContain('export VAULT_ADDR=http://127.0.0.1:8200 VAULT_TOKEN=hvs.dev-root');
    expect(banner).toContain('  node dist/cli.js dev-server put kv/web/db');
  });

  it('names ten seeds of a list of ten, and says nothing more', () => {
    const seeds = parseSeed(Array.from({ length: 10 }, (_, i) => `kv/app/s${i}`).join(','));
    const line = seededLine(devServerBanner(server, seeds))!;
    expect(line.split(', ')).toHaveLength(10);
    expect(line).not.toContain('more');
  });

  it('names the first ten of a thousand seeds, then how many more', () => {
    const seeds = parseSeed(Array.from({ length: 1000 }, (_, i) => `kv/app/s${i}@2`).join('\n'));
    const banner = devServerBanner(server, seeds);
    const line = seededLine(banner)!;
    expect(line).toBe(
      `Seeded: ${Array.from({ length: 10 }, (_, i) => `kv/app/s${i} v2`).join(', ')}, … and 990 more`,
    );
    expect(banner).not.toContain('kv/app/s10 ');
    expect(Math.max(...banner.split('\n').map((l) => l.length))).toBeLessThan(300);
  });

  it('says how to seed when nothing was', () => {
    expect(seededLine(devServerBanner(server, []))).toBe(
      'Seeded: nothing (pass --seed kv/app/db@3,kv/app/api)',
    );
  });
});
