import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './processes';

/**
 * The production build (dist/) that tests starting the server or a command run: built when it
 * is missing or older than src/, so a test run alone in a fresh clone does not meet "Cannot
 * find module", nor a stale build after an edit.
 */

const STAMP = path.join(ROOT, 'dist', '.tsbuildinfo');
const SERVER = path.join(ROOT, 'dist', 'src', 'server.js');

function newestChange(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestChange(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function isCurrent(): boolean {
  if (!existsSync(SERVER) || !existsSync(STAMP)) return false;
  const sources = Math.max(
    newestChange(path.join(ROOT, 'src')),
    statSync(path.join(ROOT, 'tsconfig.json')).mtimeMs,
    statSync(path.join(ROOT, 'tsconfig.build.json')).mtimeMs,
  );
  return statSync(STAMP).mtimeMs >= sources;
}

export function ensureBuilt(): void {
  if (isCurrent()) return;
  process.stderr.write('\ndist/ is missing or older than src/: building it (npm run build)\n');
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) {
    throw new Error('these tests run the production build, and npm run build failed: fix it first');
  }
  // An incremental build with nothing to emit leaves the stamp as it was.
  const now = new Date();
  utimesSync(STAMP, now, now);
}
