import { readFileSync } from 'node:fs';

/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per area
 * (a package, Node's internals, the app's own code, GC), optionally skipping the first
 * `skipMs` (start-up) so only the load is counted.
 *
 *   node dist/bench/profile-summary.js <file.cpuprofile> [--skip-ms N] [--top N]
 */

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: number[];
}

interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly startTime: number;
  readonly samples: number[];
  readonly timeDeltas: number[];
}

export interface Cost {
  readonly name: string;
  readonly selfMs: number;
  /** Share of the busy (non-idle) time. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly sampledMs: number;
  readonly idleMs: number;
  readonly busyMs: number;
  readonly functions: Cost[];
  readonly areas: Cost[];
  /** Socket write system calls (native), by the library that asked for the write. */
  readonly writesByCaller: Cost[];
}

const SOCKET_WRITES =
  /^(writev|writeUtf8String|writeLatin1String|writeBuffer|writeAsciiString|writeUcs2String)$/;
export const SOCKET_WRITES_AREA = 'socket writes (native)';

/** Where a function lives: a package, a Node internal module, the app, or a V8 pseudo-frame. */
export function areaOf(frame: CallFrame): string {
  const url = frame.url;
  if (url === '') {
    if (SOCKET_WRITES.test(frame.functionName)) return SOCKET_WRITES_AREA;
    return frame.functionName.startsWith('(') ? frame.functionName : '(native, other)';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  if (url.startsWith('node:internal/deps/undici')) return 'undici (fetch)';
  if (url.startsWith('node:')) {
    const m = /^node:(?:internal\/)?([^/]+)/.exec(url);
    return `node:${m?.[1] ?? url}`;
  }
  const own = /\/dist\/((?:src|bench)\/.+)$/.exec(url);
  if (own?.[1]) return `app ${own[1].replace(/\/[^/]+$/, '/')}`;
  return url;
}

function shortUrl(url: string): string {
  const pkg = /node_modules\/(.+)$/.exec(url);
  if (pkg?.[1]) return pkg[1];
  const own = /\/dist\/(.+)$/.exec(url);
  return own?.[1] ?? url;
}

function functionKey(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  return frame.url === '' ? name : `${name} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

function ranked(totals: Map<string, number>, busyUs: number, top: number): Cost[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, selfMs: us / 1000, percent: (100 * us) / busyUs }));
}

/** The first library (not Node's own plumbing) up the stack from a node: who asked for it. */
function callerArea(
  id: number,
  byId: ReadonlyMap<number, ProfileNode>,
  parentOf: ReadonlyMap<number, number>,
): string {
  for (let cur = parentOf.get(id); cur !== undefined; cur = parentOf.get(cur)) {
    const frame = byId.get(cur)?.callFrame;
    if (!frame || frame.url === '') continue;
    if (frame.url === 'node:_http_outgoing') return 'HTTP responses and requests (node:http)';
    const area = areaOf(frame);
    if (!area.startsWith('node:')) return area;
  }
  return '(unknown)';
}

export function summarizeProfile(profile: CpuProfile, skipMs = 0, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  const writes = new Map<string, number>();
  let t = profile.startTime;
  let sampledUs = 0;
  let idleUs = 0;
  const from = profile.startTime + skipMs * 1000;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < from) continue;
    const node = byId.get(profile.samples[i] ?? -1);
    if (!node) continue;
    sampledUs += delta;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') {
      idleUs += delta;
      continue;
    }
    const fk = functionKey(frame);
    functions.set(fk, (functions.get(fk) ?? 0) + delta);
    const ak = areaOf(frame);
    areas.set(ak, (areas.get(ak) ?? 0) + delta);
    if (ak === SOCKET_WRITES_AREA) {
      const caller = callerArea(node.id, byId, parentOf);
      writes.set(caller, (writes.get(caller) ?? 0) + delta);
    }
  }
  const busyUs = Math.max(1, sampledUs - idleUs);
  return {
    sampledMs: sampledUs / 1000,
    idleMs: idleUs / 1000,
    busyMs: busyUs / 1000,
    functions: ranked(functions, busyUs, top),
    areas: ranked(areas, busyUs, top),
    writesByCaller: ranked(writes, busyUs, top),
  };
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

function printTable(title: string, rows: readonly Cost[]): void {
  process.stdout.write(`\n${title}\n`);
  for (const r of rows) {
    process.stdout.write(
      `${r.percent.toFixed(1).padStart(6)}%  ${r.selfMs.toFixed(0).padStart(7)} ms  ${r.name}\n`,
    );
  }
}

function main(argv: readonly string[]): void {
  const file = argv[0];
  if (!file) {
    process.stderr.write('usage: profile-summary <file.cpuprofile> [--skip-ms N] [--top N]\n');
    process.exit(2);
  }
  const option = (name: string, fallback: number): number => {
    const i = argv.indexOf(name);
    const v = i >= 0 ? Number(argv[i + 1]) : Number.NaN;
    return Number.isFinite(v) ? v : fallback;
  };
  const s = summarizeProfile(readProfile(file), option('--skip-ms', 0), option('--top', 25));
  process.stdout.write(
    `sampled ${s.sampledMs.toFixed(0)} ms, idle ${s.idleMs.toFixed(0)} ms, busy ${s.busyMs.toFixed(0)} ms\n`,
  );
  printTable('Self time by area (% of busy)', s.areas);
  printTable('Socket writes by caller (% of busy)', s.writesByCaller);
  printTable('Self time by function (% of busy)', s.functions);
}

if (require.main === module) main(process.argv.slice(2));
