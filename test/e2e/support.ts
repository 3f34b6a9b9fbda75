import { mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { newCredentials, sandboxedAppEnv } from '../../harness/app-env';
import { startReadyApp, type AppProcess } from '../../harness/app-process';
import { freePort, ROOT } from '../../harness/processes';
import { startRedisServer, type RunningRedis } from '../../harness/redis';
import { SandboxControl, startSandboxFor, type RunningSandbox } from '../../harness/sandbox';

/**
 * The product as a person meets it: the production build (the Procfile's command) on a real
 * Redis, the Zoom sandbox, and Debian's Chromium — no browser download.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
export const SCREENSHOT_DIR = path.join(ROOT, 'docs', 'screenshots');
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 375, height: 812 },
} as const;

export interface E2eStack {
  readonly appUrl: string;
  readonly sandbox: RunningSandbox;
  readonly control: SandboxControl;
  readonly redis: RunningRedis;
  readonly server: AppProcess;
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function startE2eStack(env: Record<string, string> = {}): Promise<E2eStack> {
  const redis = await startRedisServer();
  const appUrl = `http://127.0.0.1:${await freePort()}`;
  const credentials = newCredentials('e2e');
  const sandbox = await startSandboxFor({ appUrl, credentials });
  const server = await startReadyApp({
    ...sandboxedAppEnv({ appUrl, sandboxUrl: sandbox.url, redisUrl: redis.url, credentials }),
    LOG_LEVEL: 'warn',
    ...env,
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    appUrl,
    sandbox,
    control: new SandboxControl(sandbox.url),
    redis,
    server,
    browser,
    close: async () => {
      await browser.close();
      await server.stop();
      await sandbox.close();
      await redis.stop();
    },
  };
}

/** Everything a page said that it should not: console errors, CSP violations, page errors. */
export interface Watched {
  readonly page: Page;
  readonly problems: string[];
}

export async function newWatchedPage(context: BrowserContext): Promise<Watched> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || /Content Security Policy/i.test(msg.text())) {
      problems.push(`console: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return { page, problems };
}

/** axe-core on the page as it is: serious and critical violations, by rule and target. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** With SCREENSHOTS=1, saves the page at its current viewport under docs/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
