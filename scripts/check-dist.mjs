// Fails when the committed dist/ is not what the sources build to (CI runs this on a clean checkout).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tmp = mkdtempSync(join(tmpdir(), 'vr-dist-'));
try {
  execFileSync(process.execPath, ['scripts/build.mjs', tmp], { stdio: 'inherit' });
  const stale = [];
  for (const name of readdirSync(tmp)) {
    const committed = join('dist', name);
    if (!existsSync(committed) || !readFileSync(committed).equals(readFileSync(join(tmp, name))))
      stale.push(name);
  }
  for (const name of existsSync('dist') ? readdirSync('dist') : []) {
    if (!existsSync(join(tmp, name))) stale.push(`${name} (not built any more)`);
  }
  if (stale.length > 0) {
    console.error(`dist/ is stale: ${stale.join(', ')}. Run "npm run build" and commit dist/.`);
    process.exit(1);
  }
  console.error('dist/ is current.');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
