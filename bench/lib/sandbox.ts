import { freePort } from '../../scripts/lib/redis-server';
import { getJson, postJson, request, waitForOk } from './http';
import { spawnNode, type NodeChild } from './procs';

/** The Zoom sandbox in its own process (so it does not share a core with autocannon). */

export const CLIENT_ID = 'bench-client-id';
export const CLIENT_SECRET = 'bench-client-secret-0123456789';
export const WEBHOOK_SECRET = 'bench-webhook-secret-token';

export type SandboxStats = Record<string, number>;

export interface FaultSpec {
  readonly target: 'api' | 'token' | 'revoke' | 'all';
  readonly delayMs?: number;
  readonly status?: number;
  readonly count?: number;
}

export class SandboxControl {
  constructor(readonly url: string) {}

  stats(): Promise<SandboxStats> {
    return getJson<SandboxStats>(`${this.url}/_sandbox/stats`);
  }

  async counter(name: string): Promise<number> {
    return (await this.stats())[name] ?? 0;
  }

  async fault(spec: FaultSpec): Promise<void> {
    await postJson(`${this.url}/_sandbox/faults`, spec);
  }

  async clearFaults(): Promise<void> {
    await request(`${this.url}/_sandbox/faults`, { method: 'DELETE' });
  }

  async expireTokens(user: string): Promise<number> {
    const r = await postJson<{ expired: number }>(`${this.url}/_sandbox/expire-tokens`, { user });
    return r.expired;
  }
}

export interface RunningSandbox {
  readonly url: string;
  readonly proc: NodeChild;
  readonly control: SandboxControl;
}

export async function startSandboxProcess(
  redirectUrls: readonly string[],
): Promise<RunningSandbox> {
  const port = await freePort();
  const proc = spawnNode('dist/src/sandbox/main.js', {
    env: {
      SANDBOX_PORT: String(port),
      ZOOM_CLIENT_ID: CLIENT_ID,
      ZOOM_CLIENT_SECRET: CLIENT_SECRET,
      ZOOM_REDIRECT_URL: redirectUrls.join(','),
      ZOOM_WEBHOOK_SECRET_TOKEN: WEBHOOK_SECRET,
      // Long-lived tokens: only the refresh-storm phase makes one stale, on purpose.
      SANDBOX_ACCESS_TOKEN_TTL: '86400',
      NODE_ENV: 'production',
    },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForOk(`${url}/_sandbox/stats`, 10_000, 20);
  } catch (err) {
    throw new Error(`sandbox did not start: ${proc.stderrTail() || String(err)}`, { cause: err });
  }
  return { url, proc, control: new SandboxControl(url) };
}
