import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CountersignNode } from '../../src/node.ts';
import { connectPeers } from '../../src/demo/peering.ts';
import { launchTestBrowser, screenshot as shot, type TestBrowser } from '../support/browser.ts';
import { addUser, startTestNode } from '../support/nodes.ts';

/**
 * The web UI driven in a real browser against two peered nodes: login errors, composing with
 * entities, four-eyes approval (the author cannot approve), sending, the peer's inbox and
 * acknowledgement, channel suspension with its banner, and the language switcher.
 * Needs the built UI (`npm run build:web`, done by `npm run test:e2e`) and Chromium.
 */
let us: CountersignNode;
let cn: CountersignNode;
let browser: TestBrowser;

const signIn = (node: CountersignNode, username: string, path = '/inbox'): Promise<Page> =>
  browser.signIn(node, username, path);

/** Reloads the package view until its status is `status` (delivery is asynchronous). */
async function waitForStatus(page: Page, status: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await page.getByTestId('page-package').getAttribute('data-status')) === status) return;
    await page.waitForTimeout(200);
    await page.getByTestId('package-refresh').click();
  }
  throw new Error(`package never reached status ${status}`);
}

describe('web UI', () => {
  beforeAll(async () => {
    [us, cn] = await Promise.all([startTestNode('US', { serveWeb: true }), startTestNode('CN', { serveWeb: true })]);
    await Promise.all([us.listen(), cn.listen()]);
    await connectPeers(us, cn);
    await Promise.all([
      addUser(us, 'ana', ['analyst']),
      addUser(us, 'lee', ['liaison']),
      addUser(us, 'kim', ['liaison']),
      addUser(us, 'lea', ['lead']),
      addUser(cn, 'wang', ['liaison']),
    ]);
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([us?.close(), cn?.close()]);
  });

  it('shows the server’s reason for a failed login', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(us.url() + '/inbox');
    await page.getByTestId('login-username').fill('lee');
    await page.getByTestId('login-password').fill('not the password');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toContain('wrong username or password');
  });

  it('drafts, enforces four-eyes, sends, and the peer acknowledges', async () => {
    // An analyst writes the package; analysts cannot approve.
    const ana = await signIn(us, 'ana');
    await ana.getByTestId('nav-compose').click();
    await ana.getByTestId('compose-kind').selectOption('intelligence');
    await expect.poll(() => ana.getByTestId('compose-recipient').inputValue()).toBe('CN');
    await ana.getByTestId('compose-title').fill('Broker network in Wuhan');
    await ana.getByTestId('compose-narrative').fill('A broker offers 4-AP to buyers in Sinaloa.');
    await ana.getByTestId('compose-grade-source').selectOption('B');
    await ana.getByTestId('compose-grade-info').selectOption('2');
    await ana.getByTestId('entity-add').click();
    await ana.getByTestId('entity-0-schema').selectOption('Person');
    await ana.getByTestId('entity-0-name').fill('Li Wei');
    await ana.getByTestId('entity-0-properties').fill('nationality=cn\nshoeSize=44');
    await ana.getByTestId('compose-internal-notes').fill('From a controlled purchase.');
    await shot(ana, '01-us-compose');
    await ana.getByTestId('compose-submit').click();
    // The server's validation issue lands next to the entity.
    await expect.poll(() => ana.getByTestId('error-entity-0').textContent()).toContain('shoeSize');
    await ana.getByTestId('entity-0-properties').fill('nationality=cn');
    await ana.getByTestId('compose-submit').click();
    await ana.getByTestId('page-package').waitFor();
    const id = await ana.getByTestId('page-package').getAttribute('data-package-id');
    expect(id).toBeTruthy();
    expect(await ana.getByTestId('package-status').getAttribute('data-status')).toBe('draft');
    expect(await ana.getByTestId('action-approve').count()).toBe(0);
    expect(await ana.getByTestId('package-internal-notes').textContent()).toContain('never leaves this node');
    await shot(ana, '02-us-draft');

    // A liaison who is not the author approves and sends.
    const lee = await signIn(us, 'lee', '/drafts');
    await lee.getByTestId(`package-link-${id}`).click();
    await lee.getByTestId('action-approve').click();
    await expect.poll(() => lee.getByTestId('page-package').getAttribute('data-status')).toBe('approved');
    await lee.getByTestId('action-send').click();
    await lee.getByTestId('dialog-confirm').click();
    await waitForStatus(lee, 'delivered');
    await shot(lee, '03-us-sent-delivered');

    // The peer sees it in its inbox, without the internal notes, and acknowledges.
    const wang = await signIn(cn, 'wang');
    await wang.getByTestId(`package-link-${id}`).waitFor();
    await shot(wang, '04-cn-inbox');
    await wang.getByTestId(`package-link-${id}`).click();
    expect(await wang.getByTestId('package-title').textContent()).toBe('Broker network in Wuhan');
    expect(await wang.getByTestId('package-internal-notes').count()).toBe(0);
    await wang.getByTestId('action-acknowledge').click();
    await expect.poll(() => wang.getByTestId('page-package').getAttribute('data-status')).toBe('acknowledged');
    await shot(wang, '05-cn-acknowledged');
  });

  it('does not let the author approve their own draft', async () => {
    const lee = await signIn(us, 'lee', '/compose');
    await expect.poll(() => lee.getByTestId('compose-recipient').inputValue()).toBe('CN');
    await lee.getByTestId('compose-title').fill('Written and approved by the same person?');
    await lee.getByTestId('compose-submit').click();
    await lee.getByTestId('page-package').waitFor();
    expect(await lee.getByTestId('action-approve').isDisabled()).toBe(true);
    expect(await lee.getByTestId('four-eyes-note').textContent()).toContain('cannot approve');

    const kim = await signIn(us, 'kim', '/drafts');
    expect(await kim.getByTestId('approvals-table').textContent()).toContain(
      'Written and approved by the same person?',
    );
  });

  it('suspends a channel, shows the banner everywhere, and resumes', async () => {
    const lea = await signIn(us, 'lea', '/channels');
    await lea.getByTestId('channel-suspend-CN').click();
    await lea.getByTestId('dialog-reason').fill('key ceremony');
    await lea.getByTestId('dialog-confirm').click();
    await expect.poll(() => lea.getByTestId('channel-banner').textContent()).toContain('key ceremony');
    await shot(lea, '06-us-channel-suspended');
    await lea.getByTestId('nav-inbox').click();
    expect(await lea.getByTestId('channel-banner').isVisible()).toBe(true);
    await lea.getByTestId('nav-channels').click();
    await lea.getByTestId('channel-resume-CN').click();
    await lea.getByTestId('dialog-confirm').click();
    await lea.getByTestId('channel-banner').waitFor({ state: 'detached' });
  });

  it('switches language and remembers it', async () => {
    const kim = await signIn(us, 'kim');
    await kim.getByTestId('lang-zh').click();
    expect(await kim.getByTestId('nav-inbox').textContent()).toBe('收件箱');
    await shot(kim, '07-us-inbox-zh');
    await kim.reload();
    await kim.getByTestId('nav-inbox').waitFor();
    expect(await kim.getByTestId('nav-inbox').textContent()).toBe('收件箱');
    await kim.getByTestId('lang-es').click();
    expect(await kim.getByTestId('nav-inbox').textContent()).toBe('Bandeja de entrada');
  });
});
