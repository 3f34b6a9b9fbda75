import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { onTracked } from './processes';

/**
 * For long-running tools (the demo, the benchmark): they stop when what started them stops,
 * and their children stop with them, whatever signal arrives and wherever it lands.
 *
 * - `npm run x` runs `sh -c …`; a SIGTERM to npm kills that shell and nothing below it.
 *   So the tool watches the processes above it, up to npm: when one is gone, it stops.
 * - If the tool itself is killed outright (SIGKILL), its own handlers never run. So a small
 *   detached reaper holds a pipe from it and knows every child's pid: when the pipe closes,
 *   it stops those children.
 */

/** The pids above this process, nearest first, up to and including npm (at most 6). */
export function ancestors(): number[] {
  const out: number[] = [];
  let pid = process.ppid;
  for (let i = 0; i < 6 && pid > 1; i++) {
    out.push(pid);
    let stat: string;
    let cmdline: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      break;
    }
    if (/(^|\/|\s)npm(\s|\0|$)/.test(cmdline.replace(/\0/g, ' ')) || cmdline.startsWith('npm'))
      break;
    // The field after the parenthesised command name is the state, then the parent's pid.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!Number.isInteger(ppid)) break;
    pid = ppid;
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Calls `onGone` once when this process's parent changes or an ancestor up to npm dies. */
export function watchParents(onGone: () => void, everyMs = 300): void {
  const parent = process.ppid;
  const above = ancestors();
  const timer = setInterval(() => {
    if (process.ppid !== parent || above.some((pid) => !alive(pid))) {
      clearInterval(timer);
      onGone();
    }
  }, everyMs);
  timer.unref();
}

// Runs detached: reads "+pid" / "-pid" lines; when its stdin closes (the tool died), it sends
// SIGTERM to the pids still listed, SIGKILL to those left after 3 s, and exits.
const REAPER = `
const pids = new Set();
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => {
  buf += c;
  const lines = buf.split('\\n');
  buf = lines.pop();
  for (const l of lines) {
    const pid = Number(l.slice(1));
    if (l[0] === '+') pids.add(pid); else pids.delete(pid);
  }
});
const kill = (sig) => { for (const p of pids) { try { process.kill(p, sig); } catch { pids.delete(p); } } };
process.stdin.on('end', () => {
  kill('SIGTERM');
  const t = setInterval(() => { kill(0); if (pids.size === 0) process.exit(0); }, 100);
  setTimeout(() => { kill('SIGKILL'); process.exit(0); }, 3000);
});
`;

/** Starts the reaper for every child tracked from now on (and those already tracked). */
export function startReaper(): void {
  const reaper = spawn(process.execPath, ['-e', REAPER], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  reaper.unref();
  const pipe = reaper.stdin as Writable & { unref?: () => void };
  pipe.on('error', () => undefined); // the reaper gone first: nothing to do
  // The pipe must not keep this process alive; its end is the signal.
  (pipe as unknown as { _handle?: { unref(): void } })._handle?.unref();
  onTracked((event, pid) => {
    if (reaper.pid !== pid) pipe.write(`${event === 'started' ? '+' : '-'}${pid}\n`);
  });
}
