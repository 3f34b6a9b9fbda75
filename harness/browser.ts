/**
 * A small cookie-keeping HTTP client that follows redirects across origins the way a browser
 * does (303 and 302 after POST become GET), and sign-in through the sandbox's consent form.
 * It talks to real sockets: the app and the sandbox.
 */

export interface Page {
  readonly status: number;
  readonly url: string;
  readonly headers: Headers;
  readonly text: string;
  /** Every URL visited, including redirects, in order. */
  readonly trail: string[];
}

export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  /** @param headers sent with every request (e.g. X-Forwarded-Proto of a TLS router) */
  constructor(private readonly headers: Record<string, string> = {}) {}

  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(new URL(origin).host)?.get(name);
  }

  setCookie(origin: string, name: string, value: string): void {
    const host = new URL(origin).host;
    const m = this.jar.get(host) ?? new Map<string, string>();
    m.set(name, value);
    this.jar.set(host, m);
  }

  /** A copy that shares nothing: another browser with the same cookies (e.g. a stolen jar). */
  clone(): Browser {
    const b = new Browser(this.headers);
    for (const [host, m] of this.jar) b.jar.set(host, new Map(m));
    return b;
  }

  get(
    url: string,
    opts: { follow?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    return this.request('GET', url, undefined, opts);
  }

  postForm(
    url: string,
    fields: Record<string, string>,
    opts: { follow?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    return this.request('POST', url, new URLSearchParams(fields).toString(), opts);
  }

  async request(
    method: string,
    url: string,
    body: string | undefined,
    opts: { follow?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const follow = opts.follow ?? true;
    const trail: string[] = [];
    let current = url;
    let m = method;
    let b = body;
    for (let hops = 0; hops < 10; hops++) {
      trail.push(current);
      const headers: Record<string, string> = { ...this.headers, ...opts.headers };
      const cookies = this.jar.get(new URL(current).host);
      if (cookies && cookies.size > 0) {
        headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      }
      if (b !== undefined) headers['content-type'] ??= 'application/x-www-form-urlencoded';
      const res = await fetch(current, { method: m, headers, body: b, redirect: 'manual' });
      this.store(current, res.headers);
      const location = res.headers.get('location');
      if (follow && location && res.status >= 300 && res.status < 400) {
        await res.arrayBuffer();
        current = new URL(location, current).toString();
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && m === 'POST')) {
          m = 'GET';
          b = undefined;
        }
        continue;
      }
      return {
        status: res.status,
        url: current,
        headers: res.headers,
        text: await res.text(),
        trail,
      };
    }
    throw new Error(`too many redirects from ${url}`);
  }

  private store(url: string, headers: Headers): void {
    const host = new URL(url).host;
    for (const line of headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const m = this.jar.get(host) ?? new Map<string, string>();
      const expired = attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) m.delete(name);
      else m.set(name, value);
      this.jar.set(host, m);
    }
  }
}

/** The value of a hidden form field, first match. */
export function hiddenField(html: string, name: string): string {
  const re = new RegExp(`name="${name}" value="([^"]*)"`);
  const m = re.exec(html);
  if (!m?.[1]) throw new Error(`no hidden field ${name} in page`);
  return decodeEntities(m[1]);
}

export function decodeEntities(s: string): string {
  return s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export const SESSION_COOKIE = 'zar.sid';

/** The session id inside the app's signed cookie value (`s:<id>.<signature>`, URL-encoded). */
export function sessionIdOf(cookieValue: string): string {
  const raw = decodeURIComponent(cookieValue);
  if (!raw.startsWith('s:')) throw new Error('not a signed session cookie');
  return raw.slice(2, raw.lastIndexOf('.'));
}

export function csrfOf(page: Page): string {
  return hiddenField(page.text, '_csrf');
}

const CONSENT_FIELDS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'state',
  'code_challenge',
  'code_challenge_method',
];

function consentFields(consent: Page): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const name of CONSENT_FIELDS) {
    try {
      fields[name] = hiddenField(consent.text, name);
    } catch {
      // optional field absent
    }
  }
  return fields;
}

/**
 * Add to Zoom from the landing page: /install → sandbox consent → Allow as `user` → callback →
 * dashboard. Returns the dashboard page.
 */
export async function signIn(browser: Browser, appUrl: string, user = 'ada'): Promise<Page> {
  const consent = await browser.get(`${appUrl}/install`);
  if (consent.url.startsWith(appUrl)) return consent; // already authorized: no consent page
  return submitConsent(browser, consent, user, 'allow');
}

/** Posts the sandbox consent form (Allow or Deny) and follows the redirects. */
export function submitConsent(
  browser: Browser,
  consent: Page,
  user: string,
  decision: 'allow' | 'deny',
): Promise<Page> {
  return browser.postForm(new URL('/oauth/authorize', consent.url).toString(), {
    ...consentFields(consent),
    user,
    decision,
  });
}

/**
 * Starts an install and allows it at the sandbox, stopping before the callback: returns the
 * callback URL (with its code and state) for tests that replay, steal or inspect it.
 */
export async function callbackUrlFor(browser: Browser, appUrl: string, user: string): Promise<URL> {
  const consent = await browser.get(`${appUrl}/install`);
  const toCallback = await browser.postForm(
    new URL('/oauth/authorize', consent.url).toString(),
    { ...consentFields(consent), user, decision: 'allow' },
    { follow: false },
  );
  return new URL(toCallback.headers.get('location') ?? '');
}

/** A sentence as the app's templates print it (Eta escapes & < > " and '). */
export function html(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
