import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The documents stand on their own in a clone: every file they name exists in the repo, and
 * none links outside it.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const DOCS = [
  'README.md',
  'SECURITY.md',
  'harness/README.md',
  'sandbox/README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  ...['src', 'src/http', 'src/zoom', 'src/store', 'src/commands', 'bench', 'test']
    .map((d) => `${d}/README.md`)
    .filter((f) => existsSync(path.join(ROOT, f))),
];

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    if (['node_modules', 'dist', '.git', 'reports'].includes(e.name)) return [];
    const rel = dir ? `${dir}/${e.name}` : e.name;
    return e.isDirectory() ? filesUnder(rel) : [rel];
  });
}
const BASENAMES = new Set(filesUnder('').map((f) => path.basename(f)));

/** `some/path.ext` in backticks or a markdown link target, relative to the repo root. */
const FILE_REF =
  /(?:`|\]\()((?:\.{1,2}\/|[\w.-]+\/)*[\w.-]+\.(?:ts|md|json|sh|eta|css|js|mjs|png))(?:`|\))/g;

describe.each(DOCS)('%s', (doc) => {
  const text = readFileSync(path.join(ROOT, doc), 'utf8');

  test('links nothing outside the repository', () => {
    expect(text).not.toMatch(/\.\.\/shared|\/work\/|file:\/\//);
  });

  test('names only files that exist', () => {
    const missing: string[] = [];
    for (const m of text.matchAll(FILE_REF)) {
      const ref = m[1] ?? '';
      if (ref.includes('*') || ref.startsWith('dist/')) continue;
      const fromDoc = path.join(ROOT, path.dirname(doc), ref);
      const fromRoot = path.join(ROOT, ref);
      const bare = !ref.includes('/') && BASENAMES.has(ref); // e.g. a test named by its file
      if (!existsSync(fromDoc) && !existsSync(fromRoot) && !bare) missing.push(ref);
    }
    expect(missing).toEqual([]);
  });
});
