import path from 'node:path';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../sandbox';
import { callbackUrlOf, type SandboxCredentials } from './app-env';
import {
  lostItsPort,
  onAFreePort,
  PortTakenError,
  ROOT,
  spawnTracked,
  stopChild,
  waitUntilReady,
  type Spawned,
} from './processes';

/**
 * The Zoom sandbox wired to one app: in this process (tests, the demo), or in its own (the
 * benchmark, so it does not share a core with the load), and one client for its control API.
 */

export type { RunningSandbox } from '../sandbox';

export interface SandboxFor {
  readonly appUrl: string;
  readonly credentials: SandboxCredentials;
  readonly port?: number;
  readonly accessTokenTtlSeconds?: number;
  /** Zoom's webhook retry delays times this (e.g. 0.001); default Zoom's real minutes. */
  readonly webhookRetryScale?: number;
}

function optionsFor(s: SandboxFor): SandboxOptions {
  return {
    port: s.port,
    clientId: s.credentials.clientId,
    clientSecret: s.credentials.clientSecret,
    redirectUris: [callbackUrlOf(s.appUrl)],
    webhookUrl: `${s.appUrl}/webhooks/zoom`,
    webhookSecretToken: s.credentials.webhookSecret,
    accessTokenTtlSeconds: s.accessTokenTtlSeconds,
    ...(s.webhookRetryScale === undefined ? {} : { webhookRetry: { scale: s.webhookRetryScale } }),
  };
}

export function startSandboxFor(s: SandboxFor): Promise<RunningSandbox> {
  return startSandbox(optionsFor(s));
}

export interface SandboxProcess extends Spawned {
  readonly url: string;
  readonly control: SandboxControl;
  stop(): Promise<void>;
}

/**
 * The sandbox's CLI (sandbox/main.ts, through tsx's loader) as a child process. On a port of
 * its own choosing, one taken before the sandbox could bind it is tried again on another.
 */
export function startSandboxProcess(s: SandboxFor): Promise<SandboxProcess> {
  return onAFreePort(s.port, (port) => startSandboxProcessOn(port, s));
}

async function startSandboxProcessOn(port: number, s: SandboxFor): Promise<SandboxProcess> {
  const o = optionsFor(s);
  // One process (no tsx wrapper in between), so a signal to it is a signal to the sandbox.
  const args = ['--require', 'tsx/cjs', path.join(ROOT, 'sandbox', 'main.ts')];
  const spawned = spawnTracked(process.execPath, args, {
    env: {
      NODE_ENV: 'production',
      SANDBOX_PORT: String(port),
      ZOOM_CLIENT_ID: o.clientId,
      ZOOM_CLIENT_SECRET: o.clientSecret,
      ZOOM_REDIRECT_URL: o.redirectUris.join(','),
      ZOOM_WEBHOOK_SECRET_TOKEN: o.webhookSecretToken ?? '',
      SANDBOX_WEBHOOK_URL: o.webhookUrl ?? '',
      ...(o.accessTokenTtlSeconds
        ? { SANDBOX_ACCESS_TOKEN_TTL: String(o.accessTokenTtlSeconds) }
        : {}),
    },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(`${url}/_sandbox/stats`, { alive: () => spawned.child.exitCode === null });
  } catch (err) {
    await stopChild(spawned.child);
    await spawned.exited;
    const Failure = lostItsPort(spawned) ? PortTakenError : Error;
    throw new Failure(`the sandbox did not start: ${spawned.stderr.join('\n')}`, { cause: err });
  }
  return {
    ...spawned,
    url,
    control: new SandboxControl(url),
    stop: () => stopChild(spawned.child),
  };
}

/** The sandbox's control API (`/_sandbox/*`, JSON). */
export class SandboxControl {
  constructor(readonly url: string) {}

  async post<T = unknown>(p: string, body: unknown = {}): Promise<T> {
    const res = await fetch(`${this.url}/_sandbox${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`sandbox ${p} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  }

  async get<T = unknown>(p: string): Promise<T> {
    const res = await fetch(`${this.url}/_sandbox${p}`);
    if (!res.ok) throw new Error(`sandbox ${p} answered ${res.status}`);
    return (await res.json()) as T;
  }

  async delete<T = unknown>(p: string): Promise<T> {
    const res = await fetch(`${this.url}/_sandbox${p}`, { method: 'DELETE' });
    if (!res.ok) throw new Error(`sandbox ${p} answered ${res.status}`);
    return (await res.json()) as T;
  }

  stats(): Promise<Record<string, number>> {
    return this.get('/stats');
  }

  reset(): Promise<unknown> {
    return this.post('/reset');
  }

  /** Queues a fault (see the sandbox README): a status, a delay, a refusal shape. */
  fault(spec: Record<string, unknown>): Promise<unknown> {
    return this.post('/faults', spec);
  }

  clearFaults(): Promise<unknown> {
    return this.delete('/faults');
  }

  async userId(user: string): Promise<string> {
    return (await this.get<{ user: { id: string } }>(`/users/${user}`)).user.id;
  }
}
