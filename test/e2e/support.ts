import { mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { AppProcess } from '../../harness/app-process';
import { ROOT } from '../../harness/processes';
import { startRedisServer, type RunningRedis } from '../../harness/redis';
import type { SandboxControl } from '../../harness/sandbox';
import { startSandboxedApp } from '../../harness/sandboxed-app';

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
  readonly sandbox: { readonly url: string };
  readonly control: SandboxControl;
  readonly redis: RunningRedis;
  readonly server: AppProcess;
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function startE2eStack(env: Record<string, string> = {}): Promise<E2eStack> {
  const redis = await startRedisServer();
  const run = await startSandboxedApp({
    redisUrl: redis.url,
    label: 'e2e',
    env: { LOG_LEVEL: 'warn', ...env },
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    appUrl: run.appUrl,
    sandbox: run.sandbox,
    control: run.sandbox.control,
    redis,
    server: run.app,
    browser,
    close: async () => {
      await browser.close();
      await run.stop();
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
