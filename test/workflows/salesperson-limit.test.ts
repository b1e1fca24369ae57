/**
 * The salesperson's receivables limit through the real receivable workflow: the
 * early warning when an application crosses the policy's level (80 %), once per
 * crossing, and the hard stop at 100 %.
 */
import { describe, expect, inject, it } from 'vitest';
import type { StoredMessage } from '../../infra/local/mail-server.js';
import { TEST_COMPANY } from '../support/acme.js';
import { receivableBenchPerFile } from '../support/receivable-env.js';

const bench = receivableBenchPerFile();

async function warnings(salespersonId: string): Promise<StoredMessage[]> {
  const all = (await (await fetch(`${inject('inboxUrl')}/api/messages`)).json()) as StoredMessage[];
  return all.filter((m) => m.effectKey?.startsWith(`salesperson:${salespersonId}:limit-warning:`));
}

describe('salesperson receivables limit', () => {
  it('warns once when an application crosses 80 %, not again above it, and stops new credit at 100 %', async () => {
    const { counterpartyId, salespersonId } = await bench.seedParties({}, { creditLimitMinor: 1_000_000 });
    const apply = async (amountMinor: number) => {
      const h = await bench.start({ counterpartyId, salespersonId, amountMinor, termDays: 30 });
      return { h, receivableId: h.workflowId.replace(/^receivable:/, '') };
    };

    // 75 %: below the level, no warning.
    const first = await apply(750_000);
    await bench.approve(first.h, 750_000, 30);
    expect(await warnings(salespersonId)).toEqual([]);

    // 75 % → 85 %: crosses the level: the salesperson hears, the managers in copy.
    const second = await apply(100_000);
    const issued = await bench.approve(second.h, 100_000, 30);
    expect(issued.stage).toBe('issued');
    expect(issued.checks?.findings).toContain(
      `salesperson Seller ${salespersonId} would use 85 % of the receivables limit`,
    );
    const sent = await warnings(salespersonId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      effectKey: `salesperson:${salespersonId}:limit-warning:${second.receivableId}`,
      // the inbox lists every envelope recipient: the salesperson and, in copy, the managers
      to: [`${salespersonId.toLowerCase()}@acme.test`, ...TEST_COMPANY.managers],
    });
    expect(sent[0]?.subject).toContain('85 %');
    expect(sent[0]?.text).toContain(`takes receivables to ¥8,500.00 of the ¥10,000.00 limit (85 %)`);

    // 85 % → 95 %: already above the level: no second warning.
    const third = await apply(100_000);
    await bench.approve(third.h, 100_000, 30);
    // 95 % → 100 %: reaching the limit is not a warning (the next application is stopped).
    const fourth = await apply(50_000);
    await bench.approve(fourth.h, 50_000, 30);
    expect(await warnings(salespersonId)).toHaveLength(1);

    // At 100 %: the automatic checks reject the next application outright.
    const fifth = await apply(10_000);
    const rejected = await fifth.h.result();
    expect(rejected.stage).toBe('rejected');
    expect(rejected.rejectionReason).toBe(
      `salesperson Seller ${salespersonId} has reached 100 % of the receivables limit (1000000 of 1000000)`,
    );
    expect(await warnings(salespersonId)).toHaveLength(1);
  });
});
