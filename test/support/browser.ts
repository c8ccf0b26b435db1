import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { CountersignNode } from '../../src/node.ts';

/** Debian's Chromium: playwright cannot download its own browser here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const TEST_PASSWORD = 'correct horse battery staple';
/** Screenshots are kept as test artifacts: CI keeps this folder. */
const SHOTS = new URL('../../test-results/screenshots/', import.meta.url);

// Without the background-networking flags Chromium keeps dialling Google, which this network refuses.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** A browser for one test file; every context it opens is closed with it. */
export interface TestBrowser {
  /** A fresh context (own cookies) signed in as `username` on `node`, at `path`. */
  signIn(node: CountersignNode, username: string, path?: string): Promise<Page>;
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Launches Chromium for browser tests. Missing prerequisites (the built UI, Chromium) fail the
 * suite loudly rather than skip it.
 */
export async function launchTestBrowser(): Promise<TestBrowser> {
  if (!existsSync(new URL('../../web/dist/index.html', import.meta.url))) {
    throw new Error('web/dist is missing: run `npm run build:web` (npm run test:e2e does)');
  }
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium or set CHROMIUM_PATH`);
  mkdirSync(SHOTS, { recursive: true });
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const contexts: BrowserContext[] = [];
  const newContext = async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-US' });
    contexts.push(context);
    return context;
  };
  return {
    newContext,
    async signIn(node, username, path = '/inbox') {
      const page = await (await newContext()).newPage();
      await page.goto(node.url() + path);
      await page.getByTestId('login-username').fill(username);
      await page.getByTestId('login-password').fill(TEST_PASSWORD);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('logout').waitFor();
      return page;
    },
    async close() {
      for (const context of contexts) await context.close();
      await browser.close();
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: new URL(`${name}.png`, SHOTS).pathname, fullPage: true });
}
