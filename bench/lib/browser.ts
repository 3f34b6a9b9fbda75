import { request, type HttpAnswer } from './http';

/**
 * Just enough of a browser to sign in through the sandbox's consent form (adapted from
 * test/support/browser.ts, which bench code may not import): a cookie jar per host, redirects
 * followed, 302/303 after POST become GET. Every request says it came through the platform's
 * TLS router (X-Forwarded-Proto: https), as the production app expects.
 */

const FORWARDED = { 'x-forwarded-proto': 'https' };

export interface Page {
  readonly status: number;
  readonly url: string;
  readonly body: string;
}

export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  cookie(url: string, name: string): string | undefined {
    return this.jar.get(new URL(url).host)?.get(name);
  }

  get(url: string): Promise<Page> {
    return this.go('GET', url, undefined);
  }

  postForm(url: string, fields: Record<string, string>): Promise<Page> {
    return this.go('POST', url, new URLSearchParams(fields).toString());
  }

  private async go(method: string, url: string, body: string | undefined): Promise<Page> {
    let current = url;
    let m = method;
    let b = body;
    for (let hops = 0; hops < 10; hops++) {
      const headers: Record<string, string> = { ...FORWARDED };
      const cookies = this.jar.get(new URL(current).host);
      if (cookies && cookies.size > 0) {
        headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      }
      if (b !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await request(current, { method: m, headers, body: b });
      this.store(current, res);
      const location = res.headers.location;
      if (location && res.status >= 300 && res.status < 400) {
        current = new URL(location, current).toString();
        if (res.status === 303 || (res.status === 302 && m === 'POST')) {
          m = 'GET';
          b = undefined;
        }
        continue;
      }
      return { status: res.status, url: current, body: res.body };
    }
    throw new Error(`too many redirects from ${url}`);
  }

  private store(url: string, res: HttpAnswer): void {
    const host = new URL(url).host;
    for (const line of res.headers['set-cookie'] ?? []) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 1) continue;
      const m = this.jar.get(host) ?? new Map<string, string>();
      const value = pair.slice(eq + 1).trim();
      if (value === '') m.delete(pair.slice(0, eq).trim());
      else m.set(pair.slice(0, eq).trim(), value);
      this.jar.set(host, m);
    }
  }
}

/** The value of a hidden form field (first match), entities decoded. */
export function hiddenField(html: string, name: string): string | undefined {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!m?.[1]) return undefined;
  return m[1]
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const CONSENT_FIELDS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'state',
  'code_challenge',
  'code_challenge_method',
];

/** /install → sandbox consent → Allow as `user` → callback → dashboard. Returns the dashboard. */
export async function signIn(browser: Browser, appUrl: string, user: string): Promise<Page> {
  const consent = await browser.get(`${appUrl}/install`);
  if (consent.url.startsWith(appUrl)) return consent; // already authorized
  const fields: Record<string, string> = { user, decision: 'allow' };
  for (const name of CONSENT_FIELDS) {
    const value = hiddenField(consent.body, name);
    if (value !== undefined) fields[name] = value;
  }
  return browser.postForm(new URL('/oauth/authorize', consent.url).toString(), fields);
}
