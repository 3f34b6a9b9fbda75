import http from 'node:http';

/**
 * The floor the dashboard is compared with: a bare node:http server that makes the same single
 * upstream call per request (GET {api}/users/me/assistants with a Bearer token obtained once)
 * and renders a plain HTML list. No framework, no session, no Redis, no logging.
 *
 * Env: BASELINE_PORT, UPSTREAM_API_URL (e.g. http://127.0.0.1:4010/v2), ACCESS_TOKEN.
 */

interface AssistantList {
  assistants?: { id?: unknown; email?: unknown }[];
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function render(list: AssistantList): string {
  const items = (list.assistants ?? [])
    .map((a) => `<li>${escapeHtml(typeof a.email === 'string' ? a.email : '')}</li>`)
    .join('');
  return `<!doctype html><html><head><title>Your assistants</title></head><body><h1>Your assistants</h1><ul>${items}</ul></body></html>`;
}

function fetchAssistants(
  agent: http.Agent,
  url: URL,
  token: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { agent, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

function main(): void {
  const port = Number(process.env.BASELINE_PORT);
  const api = process.env.UPSTREAM_API_URL;
  const token = process.env.ACCESS_TOKEN;
  if (!port || !api || !token) {
    process.stderr.write(
      'baseline: BASELINE_PORT, UPSTREAM_API_URL and ACCESS_TOKEN are required\n',
    );
    process.exit(1);
  }
  const agent = new http.Agent({ keepAlive: true });
  const upstream = new URL(`${api}/users/me/assistants`);
  const server = http.createServer((req, res) => {
    if (req.url === '/healthz') {
      res.end('ok');
      return;
    }
    fetchAssistants(agent, upstream, token).then(
      ({ status, body }) => {
        if (status !== 200) {
          res.writeHead(502, { 'content-type': 'text/plain' }).end(`upstream ${status}`);
          return;
        }
        const html = render(JSON.parse(body) as AssistantList);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      },
      () => res.writeHead(502, { 'content-type': 'text/plain' }).end('upstream failed'),
    );
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

main();
