import { createLogger } from '../../src/log';
import { createRedis, type RedisClient } from '../../src/store/redis';
import type { TokenRefresher } from '../../src/zoom/oauth';
import type { TokenSet } from '../../src/zoom/token-response';

/**
 * What the tests of the refresh protocol and its storage share: connections to the
 * test redis-server, each as another process would hold, and a Zoom token endpoint whose
 * answers the test scripts or releases by hand.
 */

/**
 * `connect()` opens one more connection; `adopt(client)` has one made elsewhere closed with
 * them; `closeAll()` quits them all (in afterAll).
 */
export function testRedisConnections() {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL is not set (jest globalSetup starts redis-server)');
  const opened: RedisClient[] = [];
  const adopt = <T extends RedisClient>(client: T): T => {
    client.on('error', () => undefined);
    opened.push(client);
    return client;
  };
  return {
    url,
    adopt,
    connect: (): RedisClient => adopt(createRedis({ url, tlsRejectUnauthorized: false })),
    closeAll: () => Promise.allSettled(opened.map((c) => c.quit())),
  };
}

export function tokens(tag: string, expiresInMs = 3_600_000): TokenSet {
  return {
    accessToken: `at-${tag}`,
    refreshToken: `rt-${tag}`,
    accessExpiresAt: Date.now() + expiresInMs,
    scopes: ['user:read:user'],
  };
}

/** A Zoom that runs `before` (another process acting meanwhile), then gives the next answer. */
export class ScriptedZoom implements TokenRefresher {
  grants = 0;
  readonly seen: string[] = [];
  constructor(
    private readonly answers: (Error | 'ok' | TokenSet)[],
    private readonly before?: (n: number) => Promise<void>,
  ) {}
  async refresh(refreshToken: string): Promise<TokenSet> {
    this.grants++;
    this.seen.push(refreshToken);
    await this.before?.(this.grants);
    const next = this.answers.shift() ?? 'ok';
    if (next instanceof Error) throw next;
    if (next === 'ok') return tokens(`from-${refreshToken}`);
    return next;
  }
}

/** A Zoom whose refresh answers wait until the test says so; it counts the grants. */
export class HeldZoom implements TokenRefresher {
  grants = 0;
  private release: (() => void)[] = [];
  async refresh(refreshToken: string): Promise<TokenSet> {
    this.grants++;
    await new Promise<void>((r) => this.release.push(r));
    return tokens(`from-${refreshToken}`);
  }
  answerAll(): void {
    for (const r of this.release.splice(0)) r();
  }
  /** Resolves once `n` refreshes wait for their answer (`answerAll` answers only those). */
  async held(n = 1): Promise<void> {
    while (this.release.length < n) await new Promise((r) => setTimeout(r, 5));
  }
}

/** A logger whose lines the test reads back. */
export class LogLines {
  readonly lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  readonly logger = createLogger('info', {
    write: (line: string) => {
      this.lines.push(JSON.parse(line) as LogLines['lines'][number]);
    },
  });
  messages(): string[] {
    return this.lines.map((l) => l.msg);
  }
  find(msg: string): LogLines['lines'][number] | undefined {
    return this.lines.find((l) => l.msg === msg);
  }
}
