/** Starting a receivable's workflow: what its start event carries. */
import { describe, expect, it } from 'vitest';
import { receivableStartOptions } from '../../api/receivable-start.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { DEFAULT_CALENDAR } from '../../domain/working-days.js';
import type { ReceivableInput } from '../../workflows/receivable/contract.js';

const input: ReceivableInput = {
  application: {
    receivableId: 'R-1',
    counterpartyId: 'D-1',
    salespersonId: 'S-1',
    amountMinor: 1_000_000,
    currency: 'CNY',
    requestedTermDays: 30,
  },
  policy: { ...DEFAULT_POLICY, calendar: DEFAULT_CALENDAR, correspondence: { gatherMinutes: 10 } },
};

describe('a receivable start', () => {
  it("carries the policy the receivable's run reads, without the rating, customer and salesperson rules", () => {
    const [started] = receivableStartOptions(input).args;
    expect(started.policy).toEqual({
      version: DEFAULT_POLICY.version,
      timeZone: DEFAULT_POLICY.timeZone,
      currency: DEFAULT_POLICY.currency,
      dates: DEFAULT_POLICY.dates,
      calendar: DEFAULT_CALENDAR,
      receivable: DEFAULT_POLICY.receivable,
      correspondence: { gatherMinutes: 10 },
    });
    expect(started.application).toEqual(input.application);
    // The start event is smaller by the rules other workflows keep.
    expect(JSON.stringify(started).length).toBeLessThan(JSON.stringify(input).length - 4_000);
  });

  it('names the receivable, its debtor and its amount in the static summary', () => {
    const opts = receivableStartOptions(input, { counterpartyName: '华东经销商' });
    expect(opts.staticSummary).toBe('Receivable R-1 · 华东经销商 (D-1) · ¥10,000.00');
  });

  it("carries the search attributes the run shows first, and no memo (its summary line is the run's current details)", () => {
    const opts = receivableStartOptions(input);
    expect(opts.typedSearchAttributes.map((a) => [a.key.name, a.value])).toEqual([
      ['CounterpartyId', 'D-1'],
      ['SalespersonId', 'S-1'],
      ['Stage', 'applied'],
      ['OutstandingMinor', 0],
    ]);
    expect(opts).not.toHaveProperty('memo');
  });

  it('shows an imported invoice as owing what is unpaid from its start', () => {
    const opts = receivableStartOptions({
      ...input,
      imported: { issueDate: '2026-11-01', dueDate: '2026-12-01', paidMinor: 250_000, source: 'erp:test' },
    });
    expect(opts.typedSearchAttributes.find((a) => a.key.name === 'OutstandingMinor')?.value).toBe(750_000);
  });
});
