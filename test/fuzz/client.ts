import http from 'node:http';
import net from 'node:net';

/**
 * Sends one hostile request and reports what came back. Most go through node:http (on a
 * keep-alive agent, so the server's connection reuse after odd requests is exercised too);
 * whatever node:http refuses to send, and the hand-made byte streams (broken request lines,
 * CRLF in header values), go over a raw socket instead, so every generated request reaches
 * the server.
 *
 * Strings that go on the wire (target, header names and values) are byte strings: one char
 * per byte (latin-1), as node:http writes them. Unicode is encoded to UTF-8 bytes first.
 */

export type Header = readonly [name: string, value: string];

export interface FuzzRequest {
  /** Which generator made it, and a short description (for failure reports). */
  readonly label: string;
  readonly method: string;
  readonly target: string;
  readonly headers: readonly Header[];
  readonly body?: Buffer;
  /** No Host header added (HTTP/1.1 requires one). */
  readonly omitHost?: boolean;
  /** These exact bytes, over a raw socket, instead of method/target/headers/body. */
  readonly rawBytes?: Buffer;
  /** The request is incomplete on purpose (body cut short): half-close after writing. */
  readonly cutShort?: boolean;
}

export type Outcome =
  | {
      readonly kind: 'answered';
      readonly status: number;
      /** Every final status seen on the connection (raw pipelined requests get several). */
      readonly statuses: readonly number[];
      readonly headers: readonly Header[];
      readonly body: Buffer;
      readonly transport: 'http' | 'raw';
    }
  /** The server closed or reset the connection without an answer. */
  | { readonly kind: 'closed'; readonly transport: 'http' | 'raw' }
  /** A complete request got no answer in time. */
  | { readonly kind: 'hung'; readonly transport: 'http' | 'raw' }
  /** The request never reached the server (no connection): not counted. */
  | { readonly kind: 'unreachable'; readonly transport: 'http' | 'raw' };

const MAX_BODY_KEPT = 1 << 20;
const STALE_CONNECTION: Outcome = { kind: 'closed', transport: 'http' };
const ANSWER_DEADLINE_MS = 10_000;

export class FuzzClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  close(): void {
    this.agent.destroy();
  }

  async send(req: FuzzRequest): Promise<Outcome> {
    if (req.rawBytes) return this.sendRaw(req.rawBytes, req.cutShort ?? false);
    if (!req.cutShort && !mustGoRaw(req)) {
      const viaHttp = this.tryHttp(req);
      const out = viaHttp ? await viaHttp : null;
      // A kept-alive connection the server was closing as we reused it: like a browser, send
      // the request again on a new connection.
      if (out && out !== STALE_CONNECTION) return out;
    }
    return this.sendRaw(this.serialize(req), req.cutShort ?? false);
  }

  /** The request as bytes, for the raw socket (with Connection: close, so the answer ends). */
  serialize(req: FuzzRequest): Buffer {
    const lines = [`${req.method} ${req.target} HTTP/1.1`];
    const names = new Set(req.headers.map(([n]) => n.toLowerCase()));
    if (!req.omitHost && !names.has('host')) lines.push(`Host: ${this.host}:${this.port}`);
    for (const [n, v] of req.headers) lines.push(`${n}: ${v}`);
    if (!names.has('connection')) lines.push('Connection: close');
    if (req.body && !names.has('content-length') && !names.has('transfer-encoding')) {
      lines.push(`Content-Length: ${req.body.length}`);
    }
    const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
    return req.body ? Buffer.concat([head, req.body]) : head;
  }

  /** node:http, or null when it refuses the request client-side. */
  private tryHttp(req: FuzzRequest): Promise<Outcome> | null {
    let cr: http.ClientRequest;
    try {
      cr = http.request({
        host: this.host,
        port: this.port,
        method: req.method,
        path: req.target,
        agent: this.agent,
        setHost: !req.omitHost,
      });
    } catch {
      return null;
    }
    const grouped = new Map<string, { name: string; values: string[] }>();
    for (const [n, v] of req.headers) {
      const g = grouped.get(n.toLowerCase()) ?? { name: n, values: [] };
      g.values.push(v);
      grouped.set(n.toLowerCase(), g);
    }
    try {
      for (const { name, values } of grouped.values()) {
        cr.setHeader(name, values.length === 1 ? (values[0] ?? '') : values);
      }
    } catch {
      cr.on('error', () => undefined); // the abandoned request reports "socket hang up"
      cr.destroy();
      return null;
    }
    return new Promise<Outcome>((resolve) => {
      let done = false;
      const finish = (o: Outcome): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(o);
      };
      const timer = setTimeout(() => {
        finish({ kind: 'hung', transport: 'http' });
        cr.destroy();
      }, ANSWER_DEADLINE_MS);
      let connected = false;
      cr.on('socket', (socket) => {
        if (!socket.connecting) connected = true;
        else socket.once('connect', () => (connected = true));
      });
      cr.on('error', () => {
        if (cr.reusedSocket) finish(STALE_CONNECTION);
        else finish({ kind: connected ? 'closed' : 'unreachable', transport: 'http' });
      });
      cr.on('response', (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (c: Buffer) => {
          if (kept < MAX_BODY_KEPT) chunks.push(c);
          kept += c.length;
        });
        const answer = (): void =>
          finish({
            kind: 'answered',
            status: res.statusCode ?? 0,
            statuses: [res.statusCode ?? 0],
            headers: pairs(res.rawHeaders),
            body: Buffer.concat(chunks),
            transport: 'http',
          });
        res.on('end', answer);
        res.on('error', answer);
        res.on('close', answer);
      });
      cr.end(req.body);
    });
  }

  private sendRaw(bytes: Buffer, cutShort: boolean): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      let done = false;
      let connected = false;
      const socket = net.connect(this.port, this.host);
      const finish = (timedOut: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(
          connected
            ? parseRaw(Buffer.concat(chunks), timedOut && !cutShort)
            : { kind: 'unreachable', transport: 'raw' },
        );
      };
      const timer = setTimeout(() => finish(true), ANSWER_DEADLINE_MS);
      socket.on('data', (c: Buffer) => {
        if (kept < MAX_BODY_KEPT) chunks.push(c);
        kept += c.length;
      });
      socket.on('error', () => finish(false));
      socket.on('end', () => finish(false));
      socket.on('close', () => finish(false));
      socket.on('connect', () => {
        connected = true;
        socket.write(bytes, () => {
          if (cutShort) socket.end();
        });
      });
    });
  }
}

/** Requests node:http would send differently from what was generated (CONNECT, upgrades). */
function mustGoRaw(req: FuzzRequest): boolean {
  if (req.method.toUpperCase() === 'CONNECT') return true;
  return req.headers.some(([n]) => /^(upgrade|transfer-encoding|content-length|expect)$/i.test(n));
}

function pairs(raw: string[]): Header[] {
  const out: Header[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] ?? '', raw[i + 1] ?? '']);
  return out;
}

function parseRaw(data: Buffer, hung: boolean): Outcome {
  const text = data.toString('latin1');
  // Every status line on the connection (pipelined requests get several answers).
  const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)]
    .map((m) => Number(m[1]))
    .filter((s) => s >= 200);
  let start = 0;
  for (;;) {
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(text.slice(start, start + 16));
    if (!m) return { kind: hung ? 'hung' : 'closed', transport: 'raw' };
    const status = Number(m[1]);
    const end = text.indexOf('\r\n\r\n', start);
    // Skip interim answers (100 Continue).
    if (status < 200 && end >= 0) {
      start = end + 4;
      continue;
    }
    const headEnd = end < 0 ? text.length : end;
    const headers: Header[] = text
      .slice(start, headEnd)
      .split('\r\n')
      .slice(1)
      .map((line) => {
        const i = line.indexOf(':');
        return [line.slice(0, i).trim(), line.slice(i + 1).trim()] as const;
      });
    return {
      kind: 'answered',
      status,
      statuses,
      headers,
      body: end < 0 ? Buffer.alloc(0) : data.subarray(end + 4),
      transport: 'raw',
    };
  }
}
