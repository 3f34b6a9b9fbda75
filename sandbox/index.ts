import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { MAX_WEBHOOK_RETRY_SCALE, type RunningSandbox, type SandboxOptions } from './options';
import { Runtime } from './runtime';
import { SandboxState } from './state';

export type { RunningSandbox, SandboxOptions } from './options';

const HOST = '127.0.0.1';

function checkOptions(opts: SandboxOptions): void {
  if (!opts.clientId) throw new Error('startSandbox: clientId is required');
  if (!opts.clientSecret) throw new Error('startSandbox: clientSecret is required');
  if (opts.redirectUris.length === 0) throw new Error('startSandbox: redirectUris is empty');
  for (const uri of opts.redirectUris) {
    if (!URL.canParse(uri)) throw new Error(`startSandbox: not a URL in redirectUris: ${uri}`);
  }
  const ttl = opts.accessTokenTtlSeconds;
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1)) {
    throw new Error('startSandbox: accessTokenTtlSeconds must be a positive integer');
  }
  const scale = opts.webhookRetry?.scale;
  if (scale !== undefined && !(scale >= 0 && scale <= MAX_WEBHOOK_RETRY_SCALE)) {
    throw new Error(`startSandbox: webhookRetry.scale must be 0..${MAX_WEBHOOK_RETRY_SCALE}`);
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Starts an independent sandbox (own state, own port) on 127.0.0.1. */
export async function startSandbox(opts: SandboxOptions): Promise<RunningSandbox> {
  checkOptions(opts);
  const state = new SandboxState(opts);
  const runtime = new Runtime();
  const server = createServer(createApp({ state, runtime }));
  await listen(server, opts.port ?? 0);
  const { port } = server.address() as AddressInfo;
  const url = `http://${HOST}:${port}`;
  state.publicUrl = (opts.publicUrl ?? url).replace(/\/+$/, '');
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      runtime.shutdown();
      server.close((err) => (err ? reject(err) : resolve()));
      // Keep-alive sockets (and requests parked by a delay fault) would hold close() open.
      server.closeAllConnections();
    });
    return closing;
  };
  return { url, port, close };
}
