import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../src/config';
import { dataWeKeep, type KeptKind } from '../src/http/data-we-keep';
import { RedisKeys } from '../src/store/keys';
import { SCOPES } from '../src/zoom/scopes';

/**
 * The README's sections that the app's own facts make, so that the README and the app cannot
 * disagree: "Data we keep" (the facts /privacy shows, under the default configuration) and the
 * scope table of "Publishing on the Marketplace" (what /help shows). `npm run readme` rewrites
 * them between their markers; test/unit/readme-sections.test.ts fails when they are stale.
 */

export const README = path.join(__dirname, '..', 'README.md');

/** The configuration an operator gets by setting only what is required. */
export function defaultConfig(): Config {
  return loadConfig({
    ZOOM_CLIENT_ID: 'id',
    ZOOM_CLIENT_SECRET: 'secret',
    ZOOM_REDIRECT_URL: 'https://assistant-remover.example/oauth/callback',
    ZOOM_WEBHOOK_SECRET_TOKEN: 'token',
    SESSION_SECRET: 'x'.repeat(32),
    TOKEN_ENCRYPTION_KEY: '00'.repeat(32),
  });
}

const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
const table = (head: readonly string[], rows: readonly (readonly string[])[]): string[] => [
  row(head),
  row(head.map(() => '---')),
  ...rows.map(row),
];

export const SECTIONS: Record<string, () => string> = {
  'data-we-keep': () => {
    const config = defaultConfig();
    const keys = new RedisKeys(config.redis.keyPrefix);
    const user = '<zoomUserId>';
    const keyOf: Record<KeptKind, string> = {
      grant: keys.grantRecord(user),
      session: `${keys.sessionPrefix}<sessionId>`,
      sessionIndex: keys.userSessions(user),
      history: keys.history(user),
      ends: keys.ends(user),
      replays: keys.replays(user),
      actionCount: keys.actionRateLimit(user),
      lock: keys.refreshLock(user),
    };
    const facts = dataWeKeep(config);
    return [
      ...table(
        ['key', 'what', 'deleted when'],
        facts.perUser.map((r) => [`\`${keyOf[r.kind]}\``, r.what, r.deletedWhen]),
      ),
      ...facts.notes.flatMap((n) => ['', n]),
    ].join('\n');
  },
  scopes: () =>
    table(
      ['scope', 'calls', 'why'],
      SCOPES.map((s) => [
        `\`${s.scope}\``,
        s.calls.map((c) => `\`${c}\``).join(', '),
        s.why.charAt(0).toUpperCase() + s.why.slice(1),
      ]),
    ).join('\n'),
};

const START = (name: string): string => `<!-- ${name}: made by npm run readme -->`;
const END = (name: string): string => `<!-- end of ${name} -->`;

/** The text between a section's markers, or null when the README lacks them. */
export function sectionOf(readme: string, name: string): string | null {
  const start = readme.indexOf(START(name));
  const end = readme.indexOf(END(name));
  if (start < 0 || end < start) return null;
  return readme.slice(start + START(name).length, end).trim();
}

/** Prettier pads table cells; what a reader sees is the cells. */
export function normalized(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) =>
      line.startsWith('|')
        ? line
            .split('|')
            .map((c) => c.trim().replace(/^:?-+:?$/, '---'))
            .join('|')
        : line.trimEnd(),
    )
    .join('\n')
    .trim();
}

function rewrite(readme: string): string {
  let out = readme;
  for (const [name, make] of Object.entries(SECTIONS)) {
    if (sectionOf(out, name) === null) throw new Error(`README.md has no markers for ${name}`);
    const start = out.indexOf(START(name)) + START(name).length;
    out = `${out.slice(0, start)}\n\n${make()}\n\n${out.slice(out.indexOf(END(name)))}`;
  }
  return out;
}

if (require.main === module) {
  writeFileSync(README, rewrite(readFileSync(README, 'utf8')));
  execFileSync('npx', ['prettier', '--log-level', 'warn', '--write', README], {
    stdio: 'inherit',
  });
}
