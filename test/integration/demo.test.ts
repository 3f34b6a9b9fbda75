import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { freePort, ROOT } from '../../harness/processes';

/**
 * The demo owns its processes (issue 14): `npm run demo` as a person runs it, then stopped
 * the rough way. Afterwards no process it started is alive and its ports are free.
 */

// A loaded machine may take minutes to build and start the demo; every wait below ends early
// when the demo exits.
jest.setTimeout(300_000);

interface Demo {
  readonly npm: ChildProcess;
  readonly output: string[];
  readonly exited: Promise<number | null>;
}

function startDemo(env: Record<string, string>): Demo {
  const npm = spawn('npm', ['run', 'demo'], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  npm.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  npm.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((r) => npm.once('exit', (code) => r(code)));
  return { npm, output, exited };
}

async function until(what: string, probe: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for the banner; a demo that exits first fails at once, with what it printed. */
async function bannerOf(demo: Demo): Promise<void> {
  let gone = false;
  void demo.exited.then(() => (gone = true));
  const text = (): string => demo.output.join('');
  await until('the banner', () => gone || text().includes('Press Ctrl-C'), 240_000).catch(
    (err: unknown) => {
      throw new Error(`${String(err)}; the demo printed:\n${text()}`);
    },
  );
  if (!text().includes('Press Ctrl-C')) {
    throw new Error(`the demo exited before its banner; it printed:\n${text()}`);
  }
}

/** Every process below `root` right now (by /proc's parent links). */
function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  for (const pid of parentOf.keys()) {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) {
      if (p === root) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a socket listens on the port (by /proc/net/tcp*): a bind test would also fail on
 * another test's outgoing connection that happens to have the port as its own.
 */
function listening(port: number): boolean {
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return ['/proc/net/tcp', '/proc/net/tcp6'].some((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .slice(1)
      .some((row) => {
        const [, address = '', , state = ''] = row.trim().split(/\s+/);
        return address.endsWith(local) && state === '0A';
      }),
  );
}

async function nothingLeft(pids: number[], ports: number[]): Promise<void> {
  await until('every process of the demo to end', () => pids.every((p) => !alive(p)), 60_000);
  for (const port of ports) expect(listening(port)).toBe(false);
}

type Ports = { PORT: number; SANDBOX_PORT: number };

/** The demo on two free ports, up to its banner; ports another process took meanwhile are picked again. */
async function runningDemo(): Promise<{ demo: Demo; ports: Ports }> {
  for (let attempt = 1; ; attempt++) {
    const ports = { PORT: await freePort(), SANDBOX_PORT: await freePort() };
    const demo = startDemo({ PORT: String(ports.PORT), SANDBOX_PORT: String(ports.SANDBOX_PORT) });
    try {
      await bannerOf(demo);
      return { demo, ports };
    } catch (err) {
      if (attempt === 3 || !demo.output.join('').includes('is already in use')) throw err;
    }
  }
}

test.each(['SIGTERM', 'SIGINT', 'SIGKILL'] as const)(
  '%s to npm: the demo, its Redis, the sandbox and the app all stop, and the ports are free',
  async (signal) => {
    const { demo, ports } = await runningDemo();
    const started = descendants(demo.npm.pid ?? -1);
    // npm's child, the reaper, redis-server and the app at least.
    expect(started.length).toBeGreaterThanOrEqual(4);
    const page = await fetch(`http://127.0.0.1:${ports.PORT}/`);
    expect(page.status).toBe(200);
    demo.npm.kill(signal);
    await demo.exited;
    await nothingLeft(started, [ports.PORT, ports.SANDBOX_PORT]);
  },
);

test.each([
  ['SANDBOX_PORT', 'the Zoom sandbox', 'PORT'],
  ['PORT', 'the app', 'SANDBOX_PORT'],
] as const)(
  'a busy %s: one line naming it and its variable, keeping the other port, and nothing left running',
  async (busy, what, other) => {
    const ports = { PORT: await freePort(), SANDBOX_PORT: await freePort() };
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(ports[busy], '127.0.0.1', r));
    try {
      const demo = startDemo({
        PORT: String(ports.PORT),
        SANDBOX_PORT: String(ports.SANDBOX_PORT),
      });
      let seen: number[] = [];
      const code = await new Promise<number | null>((resolve) => {
        const timer = setInterval(() => {
          seen = [...new Set([...seen, ...descendants(demo.npm.pid ?? -1)])];
        }, 50);
        void demo.exited.then((c) => {
          clearInterval(timer);
          resolve(c);
        });
      });
      expect(code).not.toBe(0);
      const text = demo.output.join('');
      expect(text).toContain(
        `demo: port ${ports[busy]} (${what}) is already in use — set ${busy} to another port`,
      );
      // The suggested command keeps the other port as it was set.
      expect(text).toContain(
        `e.g. ${other}=${ports[other]} ${busy}=${ports[busy] + 100} npm run demo`,
      );
      // The build is not silence: a line says what is happening before it.
      expect(text.indexOf('demo: building the app')).toBeGreaterThanOrEqual(0);
      expect(text.indexOf('demo: building the app')).toBeLessThan(text.indexOf('demo: port'));
      expect(text).not.toMatch(/\n\s+at \S+ \(/); // no stack trace
      await nothingLeft(seen, [ports[other]]);
    } finally {
      squatter.close();
    }
  },
);
