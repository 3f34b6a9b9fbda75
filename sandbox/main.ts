import { startSandbox, type SandboxOptions } from './index';
import { MAX_WEBHOOK_RETRY_SCALE } from './options';

/** CLI: `node dist/src/sandbox/main.js`, configured by the same env names as the app. */

type EnvResult = { ok: true; opts: SandboxOptions } | { ok: false; problems: string[] };

const DEFAULT_PORT = 4010;

function optionalInt(env: NodeJS.ProcessEnv, name: string, problems: string[]): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    problems.push(`${name} must be a non-negative integer`);
    return undefined;
  }
  return n;
}

/** A retry scale (a multiplier, e.g. 0.001); absent = Zoom's real delays. */
function retryScale(env: NodeJS.ProcessEnv, problems: string[]): number | undefined {
  const raw = env['SANDBOX_WEBHOOK_RETRY_SCALE'];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!(n >= 0 && n <= MAX_WEBHOOK_RETRY_SCALE)) {
    problems.push(`SANDBOX_WEBHOOK_RETRY_SCALE must be a number 0..${MAX_WEBHOOK_RETRY_SCALE}`);
    return undefined;
  }
  return n;
}

function required(env: NodeJS.ProcessEnv, name: string, problems: string[]): string {
  const value = env[name];
  if (value === undefined || value === '') problems.push(`${name} is required`);
  return value ?? '';
}

export function optionsFromEnv(env: NodeJS.ProcessEnv): EnvResult {
  const problems: string[] = [];
  const port = optionalInt(env, 'SANDBOX_PORT', problems) ?? DEFAULT_PORT;
  const clientId = required(env, 'ZOOM_CLIENT_ID', problems);
  const clientSecret = required(env, 'ZOOM_CLIENT_SECRET', problems);
  // A comma-separated list is accepted to allow several callback URLs (the allow list).
  const redirectUris = required(env, 'ZOOM_REDIRECT_URL', problems)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const uri of redirectUris) {
    if (!URL.canParse(uri)) problems.push('ZOOM_REDIRECT_URL is not a valid URL');
  }
  const ttl = optionalInt(env, 'SANDBOX_ACCESS_TOKEN_TTL', problems);
  if (ttl === 0) problems.push('SANDBOX_ACCESS_TOKEN_TTL must be at least 1');
  const webhookUrl = env['SANDBOX_WEBHOOK_URL'] || undefined;
  if (webhookUrl !== undefined && !URL.canParse(webhookUrl)) {
    problems.push('SANDBOX_WEBHOOK_URL is not a valid URL');
  }
  const scale = retryScale(env, problems);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    opts: {
      port,
      clientId,
      clientSecret,
      redirectUris,
      accessTokenTtlSeconds: ttl,
      webhookUrl,
      webhookSecretToken: env['ZOOM_WEBHOOK_SECRET_TOKEN'] || undefined,
      webhookRetry: scale === undefined ? undefined : { scale },
      publicUrl: env['SANDBOX_PUBLIC_URL'] || undefined,
    },
  };
}

async function main(): Promise<void> {
  const parsed = optionsFromEnv(process.env);
  if (!parsed.ok) {
    for (const p of parsed.problems) console.error(`zoom sandbox: ${p}`);
    process.exit(1);
  }
  const sandbox = await startSandbox(parsed.opts);
  console.log(`Zoom sandbox listening on ${sandbox.url}`);
  console.log(`  ZOOM_OAUTH_URL=${sandbox.url}`);
  console.log(`  ZOOM_API_URL=${sandbox.url}/v2`);
  const stop = (): void => {
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`zoom sandbox: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
