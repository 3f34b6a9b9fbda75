import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { randomBytes } from 'node:crypto';

/**
 * app.json against the published schema's rules, written down here (no maintained validator
 * package exists; the `app.json` npm package is unmaintained):
 * https://devcenter.heroku.com/articles/app-json-schema
 */

const manifest = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'app.json'), 'utf8'),
) as Record<string, unknown>;

const TOP_LEVEL = new Set([
  'name',
  'description',
  'keywords',
  'website',
  'repository',
  'logo',
  'success_url',
  'scripts',
  'env',
  'formation',
  'image',
  'addons',
  'buildpacks',
  'environments',
  'stack',
]);
const ENV_FIELDS = new Set(['description', 'value', 'required', 'generator']);
const DYNO_SIZES = new Set([
  'eco',
  'basic',
  'standard-1x',
  'standard-2x',
  'performance-m',
  'performance-l',
  'private-s',
  'private-m',
  'private-l',
  'shield-s',
  'shield-m',
  'shield-l',
]);
const isUrl = (v: unknown): boolean => typeof v === 'string' && URL.canParse(v);

describe('app.json follows the app.json schema', () => {
  test('only known top-level keys', () => {
    for (const key of Object.keys(manifest)) expect(TOP_LEVEL.has(key)).toBe(true);
  });

  test('name (≤ 30 chars), description, keywords, repository, success_url', () => {
    expect(typeof manifest.name).toBe('string');
    expect((manifest.name as string).length).toBeLessThanOrEqual(30);
    expect(typeof manifest.description).toBe('string');
    expect(Array.isArray(manifest.keywords)).toBe(true);
    expect((manifest.keywords as unknown[]).every((k) => typeof k === 'string')).toBe(true);
    expect(isUrl(manifest.repository)).toBe(true);
    // A path on the new app, or a full URL.
    expect(
      typeof manifest.success_url === 'string' &&
        (manifest.success_url.startsWith('/') || isUrl(manifest.success_url)),
    ).toBe(true);
  });

  test('buildpacks: the Node.js buildpack', () => {
    const bps = manifest.buildpacks as { url: string }[];
    expect(Array.isArray(bps)).toBe(true);
    for (const b of bps) expect(Object.keys(b)).toEqual(['url']);
    expect(bps.map((b) => b.url)).toContain('heroku/nodejs');
  });

  test('addons: strings or {plan, as?, options?}; Heroku Redis mini and Scheduler are there', () => {
    const addons = manifest.addons as unknown[];
    const plans = addons.map((a) => {
      if (typeof a === 'string') return a;
      const o = a as Record<string, unknown>;
      for (const k of Object.keys(o)) expect(['plan', 'as', 'options']).toContain(k);
      expect(typeof o.plan).toBe('string');
      if (o.as !== undefined) expect(o.as).toMatch(/^[A-Z][A-Z0-9_]*$/);
      return o.plan as string;
    });
    expect(plans).toContain('heroku-redis:mini');
    expect(plans).toContain('scheduler:standard'); // runs npm run sweep every 10 minutes
  });

  test('the sweep is scheduled every 10 minutes (due ends are at most that late)', () => {
    const env = manifest.env as Record<string, { description?: string }>;
    expect(env.SWEEP_IDLE_HOURS?.description).toContain('Every 10 minutes: npm run sweep');
  });

  test('formation: quantity and a known size per process type', () => {
    const formation = manifest.formation as Record<string, { quantity: number; size: string }>;
    for (const [type, f] of Object.entries(formation)) {
      expect(type).toMatch(/^[a-zA-Z0-9_-]+$/);
      expect(Number.isInteger(f.quantity)).toBe(true);
      expect(DYNO_SIZES.has(f.size)).toBe(true);
    }
    expect(formation.web).toBeDefined();
  });

  test('env: upper-case names, each an object of description/value/required/generator', () => {
    const env = manifest.env as Record<string, Record<string, unknown>>;
    for (const [name, spec] of Object.entries(env)) {
      expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
      for (const k of Object.keys(spec)) expect(ENV_FIELDS.has(k)).toBe(true);
      expect(typeof spec.description).toBe('string');
      if (spec.value !== undefined) expect(typeof spec.value).toBe('string');
      if (spec.required !== undefined) expect(typeof spec.required).toBe('boolean');
      if (spec.generator !== undefined) expect(spec.generator).toBe('secret');
    }
  });
});

describe('app.json covers the contract', () => {
  const env = manifest.env as Record<string, Record<string, unknown>>;

  test('an entry with a description for every variable of CONTRACT.md', () => {
    for (const name of [
      'PORT',
      'REDIS_URL',
      'ZOOM_CLIENT_ID',
      'ZOOM_CLIENT_SECRET',
      'ZOOM_REDIRECT_URL',
      'ZOOM_WEBHOOK_SECRET_TOKEN',
      'SESSION_SECRET',
      'TOKEN_ENCRYPTION_KEY',
      'ZOOM_OAUTH_URL',
      'ZOOM_API_URL',
      'NODE_ENV',
    ]) {
      expect(env[name]?.description).toEqual(expect.any(String));
    }
  });

  test('the operator’s variables, optional, each with a description', () => {
    for (const name of [
      'OPERATOR_NAME',
      'SUPPORT_EMAIL',
      'PRIVACY_POLICY_URL',
      'TERMS_OF_USE_URL',
      'ZOOM_DOMAIN_VERIFICATION',
    ]) {
      expect(env[name]?.description).toEqual(expect.any(String));
      expect(env[name]?.required).toBe(false);
    }
  });

  test('the two secrets are generated', () => {
    expect(env.SESSION_SECRET?.generator).toBe('secret');
    expect(env.TOKEN_ENCRYPTION_KEY?.generator).toBe('secret');
  });

  test('a value of the shape the "secret" generator makes (64 hex characters) passes the config check', () => {
    const generated = (): string => randomBytes(32).toString('hex');
    const config = loadConfig({
      NODE_ENV: 'production',
      REDIS_URL: 'rediss://:p@redis.example:6380',
      ZOOM_CLIENT_ID: 'id',
      ZOOM_CLIENT_SECRET: 'secret',
      ZOOM_REDIRECT_URL: 'https://app.example/oauth/callback',
      ZOOM_WEBHOOK_SECRET_TOKEN: 'token',
      SESSION_SECRET: generated(),
      TOKEN_ENCRYPTION_KEY: generated(),
    });
    expect(config.tokens.encryptionKeys).toHaveLength(1);
    expect(config.isProduction).toBe(true);
  });
});
