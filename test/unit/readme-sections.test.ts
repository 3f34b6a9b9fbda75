import { readFileSync } from 'node:fs';
import { DEFAULT_GRANT_SCOPES } from '../../sandbox/options';
import { OPS } from '../../sandbox/api-ops';
import { README, SECTIONS, normalized, sectionOf } from '../../scripts/readme-sections';
import { ACTIONS } from '../../src/zoom/actions/catalog';
import { SCOPES } from '../../src/zoom/scopes';

/**
 * The README says what the app does: its generated sections match what the app's own facts
 * make today (run `npm run readme` after changing them), and the scopes the app documents are
 * the ones Zoom's operations need and the sandbox grants.
 */

const readme = readFileSync(README, 'utf8');

test.each(Object.keys(SECTIONS))('README section %s is what npm run readme makes', (name) => {
  const inReadme = sectionOf(readme, name);
  expect(inReadme).not.toBeNull();
  expect(normalized(inReadme ?? '')).toBe(normalized(SECTIONS[name]?.() ?? ''));
});

test('the documented scopes are the ones the sandbox grants, and cover every operation the app calls', () => {
  const documented = SCOPES.map((s) => s.scope);
  expect([...documented].sort()).toEqual([...DEFAULT_GRANT_SCOPES].sort());
  for (const op of Object.values(OPS)) {
    expect(op.granular.some((s) => documented.includes(s))).toBe(true);
  }
  // Each user action is allowed by a scope the app asks for.
  for (const action of ACTIONS) {
    if (action.scopes.length > 0)
      expect(action.scopes.some((s) => documented.includes(s))).toBe(true);
  }
});

test('the test plan has a step for every scope', () => {
  const plan = /### The test plan, scope by scope([\s\S]*?)\n### /.exec(readme)?.[1] ?? '';
  for (const { scope } of SCOPES) expect(plan).toContain(`_\`${scope}\`_`);
});
