import http from 'node:http';
import { FORWARDED_HEADERS } from './lib/app';
import { request } from './lib/http';
import { sleep } from './lib/procs';
import { DASHBOARD_MARKER, type Stack } from './lib/stack';

/**
 * 3. Redis commands per warm dashboard request, two ways: MONITOR (every command of the app's
 * connections, with its key) and INFO commandstats deltas (cross-check, whole server).
 */

export interface CommandCount {
  /** e.g. "GET bench:sess:<id>" */
  readonly shape: string;
  readonly perRequest: number;
}

export interface RoundTripReport {
  readonly requests: number;
  readonly perRequest: number;
  readonly commands: CommandCount[];
  /** INFO commandstats calls per request, by command, excluding the bench's own. */
  readonly commandstats: Record<string, number>;
}

const OWN_COMMANDS = new Set(['info', 'monitor', 'client', 'ping', 'quit']);

function parseCommandstats(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (m[1] && m[2]) out.set(m[1], Number(m[2]));
  }
  return out;
}

function keyShape(key: string | undefined, stack: Stack): string {
  if (key === undefined) return '';
  return key.replace(stack.sessionId, '<session id>').replace(stack.userId, '<user id>');
}

async function appConnectionAddresses(stack: Stack): Promise<Set<string>> {
  const list = (await stack.admin.client('LIST')) as string;
  const out = new Set<string>();
  for (const line of list.split('\n')) {
    const name = /\bname=(\S*)/.exec(line)?.[1];
    const addr = /\baddr=(\S+)/.exec(line)?.[1];
    if (addr && (name === 'web' || name === 'web-sub')) out.add(addr);
  }
  return out;
}

export async function benchRoundTrips(stack: Stack, requests: number): Promise<RoundTripReport> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const headers = { ...FORWARDED_HEADERS, cookie: stack.cookie };
  const page = async (): Promise<void> => {
    const res = await request(`${stack.app.url}/`, { headers, agent });
    if (res.status !== 200 || !res.body.includes(DASHBOARD_MARKER)) {
      throw new Error(`dashboard answered ${res.status}`);
    }
  };
  try {
    for (let i = 0; i < 20; i++) await page(); // warm: the CSRF token and seen-at are stored
    const apps = await appConnectionAddresses(stack);
    const monitor = await stack.admin.monitor();
    const seen: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (apps.has(source)) seen.push(args);
    });
    const before = parseCommandstats(await stack.admin.info('commandstats'));
    for (let i = 0; i < requests; i++) await page();
    await sleep(200);
    const after = parseCommandstats(await stack.admin.info('commandstats'));
    monitor.disconnect();

    const shapes = new Map<string, number>();
    for (const args of seen) {
      const shape = `${(args[0] ?? '?').toUpperCase()} ${keyShape(args[1], stack)}`.trim();
      shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
    }
    const commandstats: Record<string, number> = {};
    for (const [name, calls] of after) {
      const delta = calls - (before.get(name) ?? 0);
      if (delta > 0 && !OWN_COMMANDS.has(name)) commandstats[name] = delta / requests;
    }
    return {
      requests,
      perRequest: seen.length / requests,
      commands: [...shapes].map(([shape, n]) => ({ shape, perRequest: n / requests })),
      commandstats,
    };
  } finally {
    agent.destroy();
  }
}
