/**
 * The interactive API docs (/docs, Swagger UI served from node_modules) in headless
 * Chromium: the page renders every tag's operations from the generated OpenAPI
 * document, Authorize takes a bearer token, and "Try it out" calls the real API.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAuth } from '../support/auth.js';
import { launchChromium, pageErrors, screenshot } from '../support/browser.js';
import { systemPerFile } from '../support/system.js';

let base: string;
let auth: TestAuth;
let browser: Browser;
const WAIT = { timeout: 30_000 };

systemPerFile({ poolSize: 2 }, (s) => {
  ({ base, auth } = s);
});

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('/docs', () => {
  it('renders the operations, authorizes with a token and tries GET /v1/reports/grades against the API', async () => {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await page.goto(`${base}/docs`);
    await page.waitForSelector('.swagger-ui .info .title', WAIT);
    expect(await page.textContent('.swagger-ui .info .title')).toContain('creditflow API');

    // Every operation of the generated document is on the page.
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    await page.waitForSelector('.opblock', WAIT);
    expect(await page.locator('.opblock').count()).toBe(operations);

    // Authorize with a real bearer token.
    const token = await auth.token('auditor');
    await page.click('button.authorize');
    await page.fill('.auth-container input', token);
    await page.click('.auth-btn-wrapper button.authorize');
    await page.click('button.btn-done');

    // Try it out: GET /v1/reports/grades answers 200 with the grade distribution.
    const op = page.locator('.opblock-get').filter({
      has: page.locator('.opblock-summary-path[data-path="/v1/reports/grades"]'),
    });
    await op.locator('.opblock-summary').click();
    await op.locator('button.try-out__btn').click();
    await op.locator('button.execute').click();
    const status = op.locator('.live-responses-table .response .response-col_status');
    await status.first().waitFor(WAIT);
    expect((await status.first().textContent())?.trim()).toBe('200');
    const answer = await op
      .locator('.live-responses-table .response .response-col_description')
      .textContent();
    expect(answer).toContain('"dealers"');
    expect(answer).toContain('"customers"');
    await screenshot(page, 'api-docs');
    expect(errors).toEqual([]);
    await page.close();
  });
});
