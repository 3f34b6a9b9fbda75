import { DEMO_OPERATOR } from '../../harness/app-env';
import { Browser, html, signIn, type Page } from '../../harness/browser';
import { startStack, type Stack } from '../../harness/stack';
import { PAGES, VIEW } from '../../src/http/copy';
import { SCOPES } from '../../src/zoom/scopes';

/**
 * The pages a Marketplace listing links to, through the real HTTP stack: what each says comes
 * from the installation's configuration and the app's own facts; every page's footer links to
 * them; the operator's own policy pages replace ours; security.txt and the domain-verification
 * meta tag appear only when configured.
 */

const PUBLIC_PAGES = ['/privacy', '/terms', '/support', '/help'] as const;

/** The page's HTML without the line-break hints put into long code words. */
async function pageText(path: string): Promise<string> {
  return (await new Browser().get(path)).text.replace(/<wbr>/g, '');
}

/** The footer's links, in order. */
function footerLinksOf(page: Page): { href: string; label: string }[] {
  const footer = /<footer class="foot">([\s\S]*?)<\/footer>/.exec(page.text)?.[1] ?? '';
  return [...footer.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map((m) => ({
    href: m[1] ?? '',
    label: m[2] ?? '',
  }));
}

const OWN_FOOTER = [
  { href: '/help', label: 'Help' },
  { href: '/privacy', label: 'Privacy' },
  { href: '/terms', label: 'Terms of use' },
  { href: '/support', label: 'Support' },
];

describe('an installation that names its operator (the demo’s settings)', () => {
  let stack: Stack;
  beforeAll(async () => {
    // A grant life other than the default: /privacy must say what this installation does.
    stack = await startStack({ env: { TOKEN_RECORD_TTL_DAYS: '45', SESSION_IDLE_HOURS: '6' } });
  });
  afterAll(async () => {
    await stack.close();
  });
  const url = (p: string): string => `${stack.app.url}${p}`;

  test.each(PUBLIC_PAGES)('%s is a page with the operator’s name and email', async (path) => {
    const page = await new Browser().get(url(path));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain(html(DEMO_OPERATOR.SUPPORT_EMAIL));
    if (path !== '/help') expect(page.text).toContain(html(DEMO_OPERATOR.OPERATOR_NAME));
    expect(footerLinksOf(page)).toEqual(OWN_FOOTER);
    // The same for everyone: no session is made for it.
    expect(page.headers.get('set-cookie')).toBeNull();
  });

  test('/privacy says what this installation keeps and for how long, from its configuration', async () => {
    const text = await pageText(url('/privacy'));
    expect(text).toContain('45 days after its last use');
    expect(text).not.toContain('90 days');
    expect(text).toContain('or 6 hours without use');
    expect(text).toContain('<code>app_deauthorized</code>');
    expect(text).toContain(`href="mailto:${DEMO_OPERATOR.SUPPORT_EMAIL}"`);
    expect(text).toContain('Nothing is sold, rented or shared');
  });

  test('/help names every scope the app asks for, with why', async () => {
    const text = await pageText(url('/help'));
    for (const s of SCOPES) {
      expect(text).toContain(`<code>${s.scope}</code>`);
      expect(text).toContain(html(s.why));
    }
    // The buttons it tells people to press are the buttons the dashboard has.
    expect(text).toContain(html(VIEW.dashboard.disconnectButton));
    expect(text).toContain(html(VIEW.dashboard.disconnectConfirm));
  });

  test('the footer links to them on the landing page, the dashboard and the error pages', async () => {
    const browser = new Browser();
    const landing = await browser.get(url('/'));
    expect(landing.text).toContain(html(VIEW.landing.heading));
    const notFound = await browser.get(url('/no/such/page'));
    expect(notFound.status).toBe(404);
    expect(notFound.text).toContain(html(PAGES.notFound.heading));
    const badCallback = await browser.get(url('/oauth/callback?code=x&state=y'));
    expect(badCallback.status).toBe(400);
    const dashboard = await signIn(browser, stack.app.url, 'ada');
    expect(dashboard.text).toContain(html(VIEW.dashboard.heading));
    for (const page of [landing, notFound, badCallback, dashboard]) {
      expect(footerLinksOf(page)).toEqual(OWN_FOOTER);
    }
  });

  test('security.txt (RFC 9116): the contact and an expiry within a year', async () => {
    const res = await fetch(url('/.well-known/security.txt'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const lines = (await res.text()).trim().split('\n');
    expect(lines).toContain(`Contact: mailto:${DEMO_OPERATOR.SUPPORT_EMAIL}`);
    const expires = lines.find((l) => l.startsWith('Expires: '))?.slice('Expires: '.length);
    const at = Date.parse(expires ?? '');
    expect(at).toBeGreaterThan(Date.now());
    expect(at).toBeLessThan(Date.now() + 366 * 24 * 60 * 60 * 1000);
    expect(lines).toContain(`Canonical: ${stack.app.url}/.well-known/security.txt`);
  });

  test('no domain-verification meta tag unless configured', async () => {
    const landing = await new Browser().get(url('/'));
    expect(landing.text).not.toContain('zoom-domain-verification');
  });
});

describe('an installation with its own policy pages, a verification value and no contact', () => {
  const PRIVACY = 'https://operator.example/privacy';
  const TERMS = 'https://operator.example/terms?v=2';
  const VERIFY = 'ZOOM_verify_a1B2c3D4e5';
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      env: {
        PRIVACY_POLICY_URL: PRIVACY,
        TERMS_OF_USE_URL: TERMS,
        ZOOM_DOMAIN_VERIFICATION: VERIFY,
        OPERATOR_NAME: '',
        SUPPORT_EMAIL: '',
      },
    });
  });
  afterAll(async () => {
    await stack.close();
  });
  const url = (p: string): string => `${stack.app.url}${p}`;

  test('/privacy and /terms redirect to the operator’s pages', async () => {
    for (const [path, target] of [
      ['/privacy', PRIVACY],
      ['/terms', TERMS],
    ] as const) {
      const res = await new Browser().get(url(path), { follow: false });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(target);
    }
  });

  test('the footer links there; help and support stay ours', async () => {
    const landing = await new Browser().get(url('/'));
    expect(footerLinksOf(landing)).toEqual([
      { href: '/help', label: 'Help' },
      { href: PRIVACY, label: 'Privacy' },
      { href: html(TERMS), label: 'Terms of use' },
      { href: '/support', label: 'Support' },
    ]);
    const help = await new Browser().get(url('/help'));
    expect(help.status).toBe(200);
    expect(help.text).toContain(`href="${PRIVACY}"`);
  });

  test('the landing page’s head carries the meta tag Zoom’s domain check looks for', async () => {
    const landing = await new Browser().get(url('/'));
    const head = /<head>([\s\S]*?)<\/head>/.exec(landing.text)?.[1] ?? '';
    expect(head).toContain(`<meta name="zoom-domain-verification" content="${VERIFY}">`);
  });

  test('without a contact: no security.txt, and the pages say there is no address', async () => {
    const res = await fetch(url('/.well-known/security.txt'));
    expect(res.status).toBe(404);
    const support = await new Browser().get(url('/support'));
    expect(support.status).toBe(200);
    expect(support.text).toContain('has not published a contact address');
    expect(support.text).not.toContain('mailto:');
    expect(support.text).toContain('who has not given a name here');
  });
});
