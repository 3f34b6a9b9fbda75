import http from 'node:http';

/** The floor: the dashboard's two Zoom GETs with fetch and a list on bare node:http, no more. */
const { BASELINE_PORT: port, ZOOM_API_URL: api, ACCESS_TOKEN: token } = process.env;
if (!port || !api || !token) throw new Error('needs BASELINE_PORT, ZOOM_API_URL, ACCESS_TOKEN');

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => escapes[c] ?? c);

async function list(path: string, field: string): Promise<string> {
  const res = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`Zoom answered ${res.status}`);
  const body = (await res.json()) as Record<string, { email?: string }[] | undefined>;
  return (body[field] ?? []).map((a) => `<li>${escape(a.email ?? '')}</li>`).join('');
}

async function page(): Promise<string> {
  const [assistants, schedulers] = await Promise.all([
    list('/users/me/assistants', 'assistants'),
    list('/users/me/schedulers', 'schedulers'),
  ]);
  return `<!doctype html><title>Your assistants</title><h1>Your assistants</h1><ul>${assistants}</ul><h2>People you schedule for</h2><ul>${schedulers}</ul>`;
}
const server = http.createServer((req, res) => {
  if (req.url === '/healthz') return void res.end('ok');
  page().then(
    (html) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html),
    (err: unknown) => res.writeHead(502).end(String(err)),
  );
});
server.listen(Number(port), '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
