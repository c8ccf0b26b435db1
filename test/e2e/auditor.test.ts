import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CountersignNode } from '../../src/node.ts';
import { connectPeers } from '../../src/demo/peering.ts';
import { launchTestBrowser, screenshot as shot, type TestBrowser } from '../support/browser.ts';
import { releasePackage, readPackage } from '../support/flows.ts';
import { addUser, eventually, samplePackage, startTestNode, type TestUser } from '../support/nodes.ts';

/**
 * The Auditor page in a real browser against two peered nodes: after one package crosses, a
 * tree head is forced, the peer countersigns it, and an auditor verifies the record (intact),
 * sees the head with the countersignature, the leaves, and an inclusion proof checked in the
 * browser. Needs the built UI (`npm run build:web`) and Chromium.
 */
let us: CountersignNode;
let cn: CountersignNode;
let browser: TestBrowser;
let lee: TestUser;
let kim: TestUser;

describe('auditor page', () => {
  beforeAll(async () => {
    [us, cn] = await Promise.all([startTestNode('US', { serveWeb: true }), startTestNode('CN', { serveWeb: true })]);
    await Promise.all([us.listen(), cn.listen()]);
    await connectPeers(us, cn);
    [lee, kim] = await Promise.all([
      addUser(us, 'lee', ['liaison']),
      addUser(us, 'kim', ['liaison']),
      addUser(us, 'aud', ['auditor']),
      addUser(us, 'ana', ['analyst']),
    ]);
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([us?.close(), cn?.close()]);
  });

  it('hides the Auditor page from roles that may not examine the record', async () => {
    const ana = await browser.signIn(us, 'ana');
    expect(await ana.getByTestId('nav-inbox').count()).toBe(1);
    expect(await ana.getByTestId('nav-auditor').count()).toBe(0);
  });

  it('verifies the record, shows the countersigned head, the leaves and a proof checked in the browser', async () => {
    const sent = await releasePackage(us, lee, kim, samplePackage({ title: 'For the record' }));
    await eventually(
      async () => (await readPackage(us, lee, sent.id as string))?.status === 'delivered',
      20_000,
      'delivery to CN',
    );

    // A head over everything so far, and the peer's countersignature on the latest head.
    await us.ledger.makeTreeHead();
    const head = await eventually(
      async () => {
        const { heads } = await us.ledger.heads({});
        const latest = heads[0];
        if (!latest || latest.countersignatures.length === 0) return undefined;
        if ((await us.ledger.unsignedLeaves()) > 0) {
          await us.ledger.makeTreeHead();
          return undefined;
        }
        return latest;
      },
      30_000,
      'the countersigned tree head',
    );
    expect(head.treeSize).toBeGreaterThanOrEqual(1);

    const page = await browser.signIn(us, 'aud');
    await page.getByTestId('nav-auditor').click();
    await page.getByTestId('page-auditor').waitFor();

    await page.getByTestId('auditor-verify').click();
    await expect.poll(() => page.getByTestId('auditor-verify-result').getAttribute('data-ok')).toBe('true');
    expect(await page.getByTestId('auditor-verify-verdict').textContent()).toBe('The record is intact');
    expect(await page.getByTestId('auditor-first-broken').count()).toBe(0);

    const countersigned = page.getByTestId(`head-countersigned-${head.treeSize}`);
    expect(await countersigned.getAttribute('data-countersigned')).toBe('true');
    expect(await page.getByTestId(`head-countersignature-${head.treeSize}-CN`).textContent()).toContain(
      'Countersigned by',
    );
    expect(await page.getByTestId(`head-root-${head.treeSize}`).textContent()).toBe(head.rootHash);

    const leaf = page.getByTestId('leaf-row-0');
    expect(await leaf.getAttribute('data-event-type')).toBe('envelope.sent');
    expect(await leaf.textContent()).toContain('CN');

    await page.getByTestId('leaf-proof-0').click();
    const check = page.getByTestId('auditor-proof-check');
    await expect.poll(() => check.getAttribute('data-browser')).toBe('true');
    expect(await check.getAttribute('data-matches-head')).toBe('true');
    expect(await page.getByTestId('auditor-proof-tree-size').textContent()).toBe(String(head.treeSize));
    expect(await page.getByTestId('auditor-proof-path').locator('li').count()).toBe(
      Math.ceil(Math.log2(head.treeSize)),
    );
    await shot(page, '40-us-auditor');
  });

  it('says so when a proof does not lead to the signed root', async () => {
    const page = await browser.signIn(us, 'aud', '/auditor');
    // A proof altered in transit: the browser's own SHA-256 check must catch it.
    await page.route('**/api/v1/ledger/proofs/inclusion?*', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { proof: string[] };
      body.proof = body.proof.map((hash, i) => (i === 0 ? (hash.startsWith('0') ? '1' : '0') + hash.slice(1) : hash));
      await route.fulfill({ response, json: body });
    });
    await page.getByTestId('leaf-proof-0').click();
    await expect.poll(() => page.getByTestId('auditor-proof-check').getAttribute('data-browser')).toBe('false');
    expect(await page.getByTestId('auditor-proof-check').textContent()).toContain('does not verify');
  });

  it('names the first broken entry when the database was changed', async () => {
    await us.ctx.db.query(
      `UPDATE ledger_leaves SET event = replace(event, '"peer":"CN"', '"peer":"MX"') WHERE idx = 0`,
    );
    const page = await browser.signIn(us, 'aud', '/auditor');
    await page.getByTestId('auditor-verify').click();
    await expect.poll(() => page.getByTestId('auditor-verify-result').getAttribute('data-ok')).toBe('false');
    expect(await page.getByTestId('auditor-verify-verdict').textContent()).toBe('The record is broken');
    const broken = page.getByTestId('auditor-first-broken');
    expect(await broken.getAttribute('data-kind')).toBe('leaf');
    expect(await broken.textContent()).toContain('leaf 0');
    await shot(page, '41-us-auditor-broken');
  });
});
