import { composeServices, type Services } from '../src/compose';
import { loadConfig } from '../src/config';
import type { Logger } from '../src/log';
import { RedisGrantChecks } from '../src/store/grant-check';
import type { RedisClient } from '../src/store/redis';
import { ReplicaAcks } from '../src/store/replica-acks';
import type { RedisTokenStore } from '../src/store/token-store';
import { PacedZoom } from '../src/zoom/paced';
import type { SweepDeps } from '../src/zoom/use-cases/sweep';
import { sandboxedAppEnv, type SandboxCredentials } from './app-env';

/**
 * The sweep as `npm run sweep` wires it, in this process, against a sandbox and a Redis: for
 * the sweep's tests and the benchmark (which seeds grants in the app's own sealed format).
 */

export interface SweepRigOptions {
  readonly redis: RedisClient;
  readonly subscriber: RedisClient;
  readonly sandboxUrl: string;
  readonly credentials: SandboxCredentials;
  readonly keyPrefix: string;
  readonly logger: Logger;
  /** Zoom calls per second of the run; Infinity: none. */
  readonly callsPerSecond: number;
}

export interface SweepRig {
  readonly services: Services;
  readonly pace: PacedZoom;
  readonly deps: SweepDeps;
}

export function sweepRig(o: SweepRigOptions): SweepRig {
  const config = loadConfig(
    sandboxedAppEnv({
      appUrl: 'http://127.0.0.1:3999',
      sandboxUrl: o.sandboxUrl,
      redisUrl: 'redis://127.0.0.1:1',
      credentials: o.credentials,
      keyPrefix: o.keyPrefix,
    }),
  );
  const services = composeServices(config, { redis: o.redis, subscriber: o.subscriber }, o.logger);
  const pace = new PacedZoom({
    callsPerSecond: o.callsPerSecond,
    restPerSecondPerAccount: config.sweep.restCallsPerAccountPerSecond,
  });
  const checks = new RedisGrantChecks(
    o.redis,
    services.keys,
    services.tokenStore,
    config.tokens.lockTtlMs,
    new ReplicaAcks(o.redis, o.logger),
  );
  return {
    services,
    pace,
    deps: {
      userIds: () => services.tokenStore.userIdPages(),
      checks,
      refresher: services.oauth,
      tokenManager: services.tokenManager,
      pace,
      refusalCoolDownMs: config.tokens.refusalCoolDownMs,
      logger: o.logger,
    },
  };
}

export interface BenchGrant {
  revoked: boolean;
  user: string;
  userId: string;
  email: string;
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
}

/**
 * `count` users who installed the app, made at the sandbox and stored as the app stores them,
 * last used `idleMs` ago. Returns the sandbox's user keys (for revoking some).
 */
export async function seedGrants(
  rig: { readonly services: { readonly tokenStore: Pick<RedisTokenStore, 'put'> } },
  sandboxUrl: string,
  from: number,
  count: number,
  idleMs: number,
  revokeEvery?: number,
): Promise<BenchGrant[]> {
  const all: BenchGrant[] = [];
  const at = Date.now() - idleMs;
  for (let start = from; start < from + count; start += 5000) {
    const n = Math.min(5000, from + count - start);
    const res = await fetch(`${sandboxUrl}/_sandbox/bench-grants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: n, from: start, revokeEvery }),
    });
    if (!res.ok) throw new Error(`bench-grants: ${res.status}`);
    const { grants } = (await res.json()) as { grants: BenchGrant[] };
    const store = rig.services.tokenStore;
    for (let i = 0; i < grants.length; i += 200) {
      await Promise.all(
        grants.slice(i, i + 200).map((g) =>
          store.put(g.userId, {
            grantId: `grant-${g.user}`,
            grantedAt: at,
            accessToken: g.access_token,
            refreshToken: g.refresh_token,
            accessExpiresAt: at + g.expires_in * 1000,
            scopes: g.scope.split(' '),
            updatedAt: at,
            profile: { name: `Bench ${g.user}`, email: g.email, timezone: 'Europe/London' },
          }),
        ),
      );
    }
    all.push(...grants);
  }
  return all;
}
