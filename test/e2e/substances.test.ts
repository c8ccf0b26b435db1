import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPeers } from '../../src/demo/peering.ts';
import type { CountersignNode } from '../../src/node.ts';
import { launchTestBrowser, screenshot as shot, type TestBrowser } from '../support/browser.ts';
import { addUser, startTestNode } from '../support/nodes.ts';

/**
 * The Substances page in a real browser: a lookup by Chinese name shows the structure picture
 * and one verdict per jurisdiction with its legal basis; bad input names the field; an
 * uncontrolled analogue leads to an emerging-threat alert drafted in the composer.
 * Needs the built UI (`npm run build:web`) and Chromium.
 */
/** Fentanyl with a pyrrolidine instead of the piperidine: outside every list and class definition. */
const PYRROLIDINE_ANALOGUE = 'CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)C1';

let us: CountersignNode;
let cn: CountersignNode;
let browser: TestBrowser;

const signIn = (username: string, path: string): Promise<Page> => browser.signIn(us, username, path);

async function lookUp(page: Page, q: string): Promise<void> {
  await page.getByTestId('substance-query').fill(q);
  await page.getByTestId('substance-submit').click();
}

/** The structure picture is an <img> that actually decoded (a broken SVG has no natural size). */
async function pictureLoaded(page: Page): Promise<boolean> {
  const img = page.getByTestId('substance-structure');
  await img.waitFor();
  // The server's tsconfig has no DOM types: name the two properties read.
  return img.evaluate((el) => {
    const image = el as unknown as { complete: boolean; naturalWidth: number };
    return image.complete && image.naturalWidth > 0;
  });
}

describe('Substances page', () => {
  beforeAll(async () => {
    // A peer, so the composer has a recipient and the drafted alert can be saved.
    [us, cn] = await Promise.all([startTestNode('US', { serveWeb: true }), startTestNode('CN')]);
    await Promise.all([us.listen(), cn.listen()]);
    await connectPeers(us, cn);
    await Promise.all([addUser(us, 'ana', ['analyst']), addUser(us, 'aud', ['auditor'])]);
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([us?.close(), cn?.close()]);
  });

  it('looks a substance up by its Chinese name and shows its structure and a verdict per jurisdiction', async () => {
    const page = await signIn('ana', '/inbox');
    await page.getByTestId('nav-substances').click();
    await page.getByTestId('page-substances').waitFor();
    await lookUp(page, '芬太尼');

    await expect.poll(() => page.getByTestId('substance-name').textContent()).toBe('fentanyl');
    expect(await page.getByTestId('substance-inchikey').textContent()).toBe('PJMPHNIQZUBGLI-UHFFFAOYSA-N');
    expect(await page.getByTestId('substance-formula').textContent()).toBe('C22H28N2O');
    expect(await page.getByTestId('substance-smiles').textContent()).toBe('CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1');
    expect(await page.getByTestId('substance-mass').textContent()).toContain('336');
    expect(await pictureLoaded(page)).toBe(true);
    expect(await page.getByTestId('substance-structure').getAttribute('src')).toMatch(/^data:image\/svg\+xml/);

    for (const j of ['UN', 'US', 'CN']) {
      expect(await page.getByTestId(`verdict-${j}-status`).getAttribute('data-status')).toBe('controlled');
      expect(await page.getByTestId(`verdict-${j}-status`).textContent()).toBe('Controlled');
      expect(await page.getByTestId(`verdict-${j}-citations`).isVisible()).toBe(true);
    }
    expect(await page.getByTestId('verdict-US-basis').textContent()).toContain('Schedule II');
    expect(await page.getByTestId('verdict-US-citations').textContent()).toContain('21 CFR 1308.12(c)');
    expect(await page.getByTestId('verdict-CN-basis').textContent()).toContain('麻醉药品');
    // The lookup is a deep link.
    expect(new URL(page.url()).searchParams.get('q')).toBe('芬太尼');
    await shot(page, 'substances-01-fentanyl-by-chinese-name');

    // The labels follow the language; the legal basis stays as the data states it.
    await page.getByTestId('lang-zh').click();
    await expect.poll(() => page.getByTestId('verdict-CN-status').textContent()).toBe('受管制');
    await shot(page, 'substances-02-fentanyl-zh');
    await page.getByTestId('lang-en').click();
  });

  it('names the field when the input is not a structure, a CAS number or a known name', async () => {
    const page = await signIn('ana', '/substances');
    await lookUp(page, 'C1CC(');
    const error = page.getByTestId('substance-error');
    await error.waitFor();
    expect(await error.getAttribute('data-code')).toBe('validation_failed');
    const issues = await page.getByTestId('substance-error-issues').textContent();
    expect(issues).toContain('q');
    expect(issues).toContain('not a valid SMILES');
    expect(await page.getByTestId('substance-result').count()).toBe(0);
    await shot(page, 'substances-03-bad-input');
  });

  it('drafts an emerging-threat alert from an uncontrolled analogue', async () => {
    const page = await signIn('ana', '/substances');
    await lookUp(page, PYRROLIDINE_ANALOGUE);
    const verdict = page.getByTestId('verdict-US');
    await verdict.waitFor();
    for (const j of ['UN', 'US', 'CN'])
      expect(await page.getByTestId(`verdict-${j}`).getAttribute('data-status')).toBe('uncontrolled-analogue');
    const basis = (await page.getByTestId('verdict-US-basis').textContent()) ?? '';
    expect(basis).toContain('Not controlled');
    expect(await page.getByTestId('verdict-US-neighbour').textContent()).toMatch(/Nearest controlled substance: .+/);
    expect(await page.getByTestId('substance-name').textContent()).toBe('Unnamed structure');
    expect(await pictureLoaded(page)).toBe(true);
    const inchikey = (await page.getByTestId('substance-inchikey').textContent()) ?? '';
    const smiles = (await page.getByTestId('substance-smiles').textContent()) ?? '';
    const neighbourName = (await page.getByTestId('verdict-US-neighbour').textContent())?.match(
      /Nearest controlled substance: (.+) \(Tanimoto/,
    )?.[1];
    await shot(page, 'substances-04-uncontrolled-analogue');

    await page.getByTestId('substance-raise-alert').click();
    await page.getByTestId('compose-form').waitFor();
    expect(await page.getByTestId('compose-kind').inputValue()).toBe('alert');
    expect(await page.getByTestId('compose-title').inputValue()).toBe(
      `Emerging threat: uncontrolled analogue of ${neighbourName}`,
    );
    const narrative = await page.getByTestId('compose-narrative').inputValue();
    expect(narrative).toContain(`SMILES: ${smiles}`);
    expect(narrative).toContain(`InChIKey: ${inchikey}`);
    expect(narrative).toContain(basis);
    expect(await page.getByTestId('entity-0-schema').inputValue()).toBe('Substance');
    expect(await page.getByTestId('entity-0-properties').inputValue()).toContain(`inchiKey=${inchikey}`);
    await expect.poll(() => page.getByTestId('compose-recipient').inputValue()).toBe('CN');
    await shot(page, 'substances-05-alert-composer');

    // The server accepts the drafted alert, Substance entity included.
    await page.getByTestId('compose-submit').click();
    await page.getByTestId('page-package').waitFor();
    expect(await page.getByTestId('package-title').textContent()).toContain('Emerging threat');
    expect(await page.getByTestId('entities-table').textContent()).toContain(inchikey);
  });

  it('offers the alert only to roles that may create packages', async () => {
    const page = await signIn('aud', `/substances?q=${encodeURIComponent('4-ANPP')}`);
    await page.getByTestId('substance-result').waitFor();
    expect(await page.getByTestId('verdict-US-status').getAttribute('data-status')).toBe('controlled');
    expect(await page.getByTestId('substance-raise-alert').count()).toBe(0);
  });
});
