import { freePort } from '../../scripts/lib/redis-server';
import { request, waitForOk } from './http';
import { spawnNode, stopChild, type NodeChild } from './procs';
import { DASHBOARD_MARKER, type Stack } from './stack';
import { storedRecord, tokenStoreFor } from './tokens';

/**
 * bench/baseline.ts as its own process, calling the sandbox with the access token the app
 * stored for the signed-in user (valid until the refresh storm rotates it).
 */

export interface BaselineProcess {
  readonly url: string;
  readonly proc: NodeChild;
  stop(): Promise<void>;
}

export async function startBaseline(stack: Stack): Promise<BaselineProcess> {
  const record = await storedRecord(tokenStoreFor(stack.admin, stack.env), stack.userId);
  const port = await freePort();
  const proc = spawnNode('dist/bench/baseline.js', {
    env: {
      BASELINE_PORT: String(port),
      UPSTREAM_API_URL: `${stack.sandbox.url}/v2`,
      ACCESS_TOKEN: record.accessToken,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = (): Promise<void> => stopChild(proc.child);
  try {
    await waitForOk(`${url}/healthz`, 10_000);
    const check = await request(`${url}/`);
    if (check.status !== 200 || !check.body.includes(DASHBOARD_MARKER)) {
      throw new Error(`baseline answered ${check.status}: ${check.body.slice(0, 200)}`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, proc, stop };
}
