import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../sandbox';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  REDIRECT_URI,
  WEBHOOK_SECRET,
  WebhookReceiver,
  basic,
  form,
  pkce,
} from './helpers';

export type Json = Record<string, unknown>;

export interface Tokens {
  access_token: string;
  refresh_token: string;
  scope: string;
}

/** Talks to one sandbox over real HTTP: control API, OAuth and REST. */
export class SandboxClient {
  constructor(readonly url: string) {}

  post(path: string, body: unknown = {}): Promise<Response> {
    return fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  del(path: string): Promise<Response> {
    return fetch(`${this.url}${path}`, { method: 'DELETE' });
  }

  async get(path: string): Promise<Json> {
    return (await (await fetch(`${this.url}${path}`)).json()) as Json;
  }

  async config(body: Json): Promise<Json> {
    const res = await this.post('/_sandbox/config', body);
    if (res.status !== 200) throw new Error(`config ${res.status}: ${await res.text()}`);
    return (await res.json()) as Json;
  }

  async stats(): Promise<Record<string, number>> {
    return (await this.get('/_sandbox/stats')) as Record<string, number>;
  }

  token(params: Record<string, string | undefined>, auth = basic()): Promise<Response> {
    return fetch(`${this.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: auth },
      body: form(params),
    });
  }

  refresh(refreshToken: string): Promise<Response> {
    return this.token({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  /** Consent as `user`, then exchange the code. */
  async login(user = 'ada'): Promise<Tokens> {
    const p = pkce();
    const consent = await fetch(`${this.url}/oauth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      body: form({
        response_type: 'code',
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        code_challenge: p.challenge,
        code_challenge_method: 'S256',
        user,
        decision: 'allow',
      }),
    });
    const code = new URL(consent.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const res = await this.token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: p.verifier,
    });
    if (res.status !== 200) throw new Error(`login ${res.status}: ${await res.text()}`);
    return (await res.json()) as Tokens;
  }

  api(path: string, accessToken: string, method = 'GET', body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${accessToken}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${this.url}/v2${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
}

export async function json(res: Response): Promise<Json> {
  return (await res.json()) as Json;
}

/**
 * Polls until `probe` returns a value (not undefined), or fails after `timeoutMs`: long by
 * default, since what is waited for comes sooner or later on a loaded machine, and only a
 * failing test pays for the wait.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface Harness {
  sb: RunningSandbox;
  client: SandboxClient;
  receiver: WebhookReceiver;
  close(): Promise<void>;
}

/** A sandbox wired to a webhook receiver, as in sandbox.test.ts. */
export async function startHarness(extra: Partial<SandboxOptions> = {}): Promise<Harness> {
  const receiver = new WebhookReceiver();
  const webhookUrl = await receiver.start();
  const sb = await startSandbox({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [REDIRECT_URI],
    webhookUrl,
    webhookSecretToken: WEBHOOK_SECRET,
    ...extra,
  });
  return {
    sb,
    client: new SandboxClient(sb.url),
    receiver,
    close: async () => {
      await sb.close();
      await receiver.close();
    },
  };
}

/** One harness for a test file, started before its tests, reset before each and closed after. */
export function sharedHarness(extra: Partial<SandboxOptions> = {}): Harness {
  let started: Harness | undefined;
  const current = (): Harness => {
    if (!started) throw new Error('the harness starts in beforeAll');
    return started;
  };
  beforeAll(async () => {
    started = await startHarness(extra);
  });
  afterAll(() => current().close());
  beforeEach(async () => {
    await current().client.post('/_sandbox/reset');
  });
  return {
    get sb() {
      return current().sb;
    },
    get client() {
      return current().client;
    },
    get receiver() {
      return current().receiver;
    },
    close: () => current().close(),
  };
}
