import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const CLIENT_ID = 'sbxTestClientId123';
export const CLIENT_SECRET = 'sbx-test-client-secret';
export const REDIRECT_URI = 'http://127.0.0.1:3999/oauth/callback';
export const WEBHOOK_SECRET = 'sbx-webhook-secret-token';

export function basic(id = CLIENT_ID, secret = CLIENT_SECRET): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

export function pkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

export function form(params: Record<string, string | undefined>): URLSearchParams {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) body.set(k, v);
  return body;
}

export async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  rawBody: string;
}

/** A tiny app stand-in that records event notifications and answers `status`. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  status = 200;
  responseBody = '';
  /** When set, decides the answer per notification (e.g. to answer a CRC challenge). */
  respond?: (hook: ReceivedWebhook) => { status: number; body: string };
  /** When set, milliseconds to wait before answering (e.g. past the sandbox's 3 s timeout). */
  hold?: (hook: ReceivedWebhook) => number;
  private waiters: ((w: ReceivedWebhook) => void)[] = [];
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const hook = { headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8') };
        this.received.push(hook);
        const answer = this.respond?.(hook) ?? { status: this.status, body: this.responseBody };
        const reply = (): void => {
          if (res.destroyed) return;
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(answer.body);
        };
        const holdMs = this.hold?.(hook) ?? 0;
        if (holdMs > 0) setTimeout(reply, holdMs).unref();
        else reply();
        const waiters = this.waiters;
        this.waiters = [];
        for (const w of waiters) w(hook);
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/zoom`;
  }

  /** Resolves with the next notification (or one already received after `from`). */
  next(from: number): Promise<ReceivedWebhook> {
    const already = this.received[from];
    if (already) return Promise.resolve(already);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
