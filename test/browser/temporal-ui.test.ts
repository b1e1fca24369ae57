/**
 * A receivable's workflow in the Temporal Web UI: filed through the API with a worker running, found
 * in the workflow list by its custom search attribute (CounterpartyId), and its event history shows
 * the start and the activities the workflow ran.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { receivableWorkflowId } from '../../workflows/receivable/contract.js';
import { fileFor, seedParties } from '../support/applications.js';
import { launchChromium, screenshot } from '../support/browser.js';
import { eventually } from '../support/eventually.js';
import { type System, systemPerFile } from '../support/system.js';

let client: Client;
let call: System['call'];
let browser: Browser;

const WAIT = { timeout: 30_000 };

systemPerFile({ worker: true }, (s) => {
  ({ client, call } = s);
});

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** A dealer and a salesperson, and an application for the dealer through the API. */
async function fileApplication(suffix: string) {
  const parties = await seedParties(
    call,
    { dealer: (s) => `UI Dealer ${s}`, seller: (s) => `UI Seller ${s}` },
    suffix,
  );
  const filed = await fileFor(call, parties, { amountMinor: 500_000, requestedTermDays: 30 });
  expect(filed.status).toBe(201);
  const { receivableId } = parties;
  return { dealer: parties.dealer.id, receivableId, workflowId: receivableWorkflowId(receivableId) };
}

describe('a receivable in the Temporal Web UI', () => {
  it('is found by its CounterpartyId search attribute and shows its history', async () => {
    const mine = await fileApplication(randomUUID().slice(0, 8));
    const other = await fileApplication(randomUUID().slice(0, 8));
    // The worker ran the automatic checks and asked the approvers.
    await eventually(
      async () => (await call('GET', `/v1/receivables/${mine.receivableId}`)).body.stage,
      (stage) => stage === 'awaiting-approval',
      'the automatic checks',
    );
    // The list page reads the visibility store once; wait until it holds both workflows' attributes.
    const listed = async (dealer: string) => {
      const ids: string[] = [];
      for await (const w of client.workflow.list({ query: `CounterpartyId="${dealer}"` }))
        ids.push(w.workflowId);
      return ids;
    };
    await eventually(
      () => listed(mine.dealer),
      (ids) => ids.includes(mine.workflowId),
      'visibility',
    );
    await eventually(
      () => listed(other.dealer),
      (ids) => ids.includes(other.workflowId),
      'visibility',
    );
    const query = `CounterpartyId="${mine.dealer}"`;

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(
      `${inject('temporalUiUrl')}/namespaces/default/workflows?query=${encodeURIComponent(query)}`,
    );
    const link = page.locator('a', { hasText: mine.workflowId });
    await link.first().waitFor(WAIT);
    // Only the filtered receivable is listed, not the other dealer's.
    expect(await page.locator('a', { hasText: 'receivable:' }).count()).toBe(1);
    expect(await page.locator('body').innerText()).not.toContain(other.workflowId);
    await screenshot(page, 'temporal-ui-workflows');

    await link.first().click();
    await page.waitForURL(/\/workflows\/receivable%3A.+\/history/, WAIT);
    await page.waitForSelector('text=Workflow Execution Started', WAIT);
    await page.waitForSelector('text=Activity Task Completed', WAIT);
    const history = await page.locator('body').innerText();
    expect(history).toContain(mine.workflowId);
    expect(history).toContain('receivableWorkflow');
    // The activities the workflow ran before waiting for the votes, by name.
    for (const activity of ['fileAndCheckReceivable', 'recordAndNotify'])
      expect(history, activity).toContain(activity);
    await screenshot(page, 'temporal-ui-history');
    await page.close();
  });
});
