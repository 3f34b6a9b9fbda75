import { newCredentials, sandboxedAppEnv, type SandboxCredentials } from './app-env';
import { startReadyApp, type ReadyAppOptions } from './app-process';
import { onAFreePort } from './processes';
import { SandboxControl, startSandboxFor, startSandboxProcess, type SandboxFor } from './sandbox';

/**
 * The production server, by the Procfile's line, wired to a Zoom sandbox made for it with
 * secrets for this run, on a Redis it is given: what the demo, the browser tests, the
 * benchmark and the process tests each run.
 */

export interface SandboxedAppOptions {
  readonly redisUrl: string;
  /** Names this run's made-up client id (e.g. 'demo'). */
  readonly label: string;
  /** The app's port; default a free one. */
  readonly port?: number;
  /** `ownProcess`: the sandbox in its own process (the benchmark counts its CPU apart). */
  readonly sandbox?: Omit<SandboxFor, 'appUrl' | 'credentials'> & { readonly ownProcess?: boolean };
  /** Added to the app's environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly app?: Omit<ReadyAppOptions, 'port' | 'readyPath'>;
}

// The sandbox knows the app by its URL: an app port taken meanwhile starts both again.
export function startSandboxedApp(o: SandboxedAppOptions) {
  return onAFreePort(o.port, (port) => startOn(port, o));
}

async function startOn(port: number, o: SandboxedAppOptions) {
  const appUrl = `http://127.0.0.1:${port}`;
  const credentials: SandboxCredentials = newCredentials(o.label);
  const wiring: SandboxFor = { ...o.sandbox, appUrl, credentials };
  const sandbox = o.sandbox?.ownProcess
    ? await startSandboxProcess(wiring)
    : await startSandboxFor(wiring).then((s) => ({
        url: s.url,
        pid: process.pid,
        stop: () => s.close(),
      }));
  const env: Record<string, string> = {
    ...sandboxedAppEnv({ appUrl, sandboxUrl: sandbox.url, redisUrl: o.redisUrl, credentials }),
    ...o.env,
  };
  const app = await startReadyApp(env, { ...o.app, port }).catch(async (err: unknown) => {
    await sandbox.stop();
    throw err;
  });
  return {
    appUrl,
    credentials,
    env,
    app,
    sandbox: { url: sandbox.url, pid: sandbox.pid, control: new SandboxControl(sandbox.url) },
    stop: async () => {
      await app.stop();
      await sandbox.stop();
    },
  };
}

export type SandboxedApp = Awaited<ReturnType<typeof startSandboxedApp>>;
