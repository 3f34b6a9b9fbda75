import type { SandboxContext } from './context';

/**
 * Zoom across a network: each token-endpoint and REST answer waits `latencyMs` (or the user's
 * own `userLatencyMs`) before it is made. The setting is read again while waiting, so lowering
 * it lets a waiting request go (a test holds one user's calls and then lets them go, with no
 * clock involved). Returns false when the sandbox closed meanwhile.
 */
export async function waitLatency(
  ctx: SandboxContext,
  userKey: string | undefined,
): Promise<boolean> {
  const started = Date.now();
  for (;;) {
    const left = started + latencyFor(ctx, userKey) - Date.now();
    if (left <= 0) return true;
    if (!(await ctx.runtime.sleep(Math.min(left, 50)))) return false;
  }
}

function latencyFor(ctx: SandboxContext, userKey: string | undefined): number {
  const { settings } = ctx.state;
  const own = settings.userLatencyMs;
  const user = userKey === undefined ? undefined : ctx.state.users.get(userKey);
  if (user) {
    for (const ref of [user.key, user.profile.id, user.profile.email.toLowerCase()]) {
      const ms = own[ref];
      if (ms !== undefined) return ms;
    }
  }
  return settings.latencyMs;
}
