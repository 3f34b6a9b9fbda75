import http from 'node:http';
import https from 'node:https';

/**
 * One small HTTP client for the REST calls: node's http/https over keep-alive agents. The
 * global fetch (undici and web streams) cost a quarter of the dashboard's CPU in the profile
 * (docs/benchmarks.md); this does the same job for a JSON API in a fraction of it.
 */

export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export class HttpRequestError extends Error {
  constructor(reason: 'timeout' | 'network') {
    super(`request failed: ${reason}`);
    this.name = 'HttpRequestError';
  }
}

const MAX_BODY_BYTES = 1024 * 1024;

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
} as const;

export function httpRequest(
  url: URL,
  method: string,
  headers: Record<string, string>,
  timeoutMs: number,
  body?: string,
): Promise<HttpAnswer> {
  const secure = url.protocol === 'https:';
  const send = secure ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, agent: agents[secure ? 'https:' : 'http:'] });
    // One deadline for the whole exchange, answer body included.
    const timer = setTimeout(() => {
      req.destroy(new HttpRequestError('timeout'));
    }, timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) req.destroy(new HttpRequestError('network'));
        else chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      res.on('error', () => undefined); // reported through req's error
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err instanceof HttpRequestError ? err : new HttpRequestError('network'));
    });
    req.end(body);
  });
}
