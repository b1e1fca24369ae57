import { describe, expect, it } from 'vitest';
import {
  buildStatement,
  outstandingAt,
  previousMonthPeriod,
  type StatementPayment,
  type StatementReceivable,
  statementIsEmpty,
} from '../../domain/statement.js';

const r = (over: Partial<StatementReceivable> & { id: string }): StatementReceivable => ({
  currency: 'CNY',
  amountMinor: 100_000,
  issueDate: '2026-03-01',
  dueDate: '2026-03-31',
  stage: 'issued',
  writtenOffMinor: 0,
  settledOn: null,
  ...over,
});
const pay = (
  receivableId: string,
  paidOn: string,
  amountMinor: number,
  discountMinor = 0,
): StatementPayment => ({
  receivableId,
  paidOn,
  amountMinor,
  discountMinor,
});

describe('the statement of account', () => {
  const receivables = [
    // open before the period, partly paid in it
    r({ id: 'R1', issueDate: '2026-02-10', dueDate: '2026-03-12', amountMinor: 500_000 }),
    // issued in the period, paid in full with a discount in it
    r({
      id: 'R2',
      issueDate: '2026-04-03',
      dueDate: '2026-05-03',
      amountMinor: 200_000,
      stage: 'paid',
      settledOn: '2026-04-20',
    }),
    // issued before, written off in the period after a partial payment before it
    r({
      id: 'R3',
      issueDate: '2026-01-05',
      dueDate: '2026-02-04',
      amountMinor: 300_000,
      stage: 'written-off',
      writtenOffMinor: 250_000,
      settledOn: '2026-04-15',
    }),
    // another currency, issued in the period, open
    r({ id: 'R4', currency: 'USD', issueDate: '2026-04-28', dueDate: '2026-04-29', amountMinor: 12_345 }),
    // issued after the period: not on it
    r({ id: 'R5', issueDate: '2026-05-02', dueDate: '2026-06-01', amountMinor: 999_999 }),
    // paid in full before the period: no balance, no movement
    r({
      id: 'R6',
      issueDate: '2026-01-01',
      dueDate: '2026-01-31',
      amountMinor: 40_000,
      stage: 'paid',
      settledOn: '2026-01-20',
    }),
  ];
  const payments = [
    pay('R1', '2026-03-20', 100_000),
    pay('R1', '2026-04-10', 150_000),
    pay('R2', '2026-04-20', 196_000, 4_000),
    pay('R3', '2026-02-01', 50_000),
    pay('R6', '2026-01-20', 40_000),
    pay('R1', '2026-05-05', 250_000), // after the period
  ];
  const s = buildStatement('2026-04-01', '2026-04-30', receivables, payments);

  it('sums opening, invoices, payments, discounts, write-offs and closing per currency, and they add up', () => {
    expect(s.currencies).toEqual([
      expect.objectContaining({
        currency: 'CNY',
        openingMinor: 400_000 + 250_000,
        invoicedMinor: 200_000,
        paidMinor: 150_000 + 196_000,
        discountMinor: 4_000,
        writtenOffMinor: 250_000,
        closingMinor: 250_000,
      }),
      expect.objectContaining({
        currency: 'USD',
        openingMinor: 0,
        invoicedMinor: 12_345,
        paidMinor: 0,
        closingMinor: 12_345,
      }),
    ]);
    for (const c of s.currencies)
      expect(c.openingMinor + c.invoicedMinor - c.paidMinor - c.discountMinor - c.writtenOffMinor).toBe(
        c.closingMinor,
      );
  });

  it('lists the period’s movements by date, invoices first on a day', () => {
    expect(s.movements.map((m) => [m.date, m.kind, m.receivableId, m.debitMinor, m.creditMinor])).toEqual([
      ['2026-04-03', 'invoice', 'R2', 200_000, 0],
      ['2026-04-10', 'payment', 'R1', 0, 150_000],
      ['2026-04-15', 'write-off', 'R3', 0, 250_000],
      ['2026-04-20', 'payment', 'R2', 0, 196_000],
      ['2026-04-20', 'discount', 'R2', 0, 4_000],
      ['2026-04-28', 'invoice', 'R4', 12_345, 0],
    ]);
  });

  it('lists the items open at the end with their days overdue and aging bucket', () => {
    expect(s.openItems).toEqual([
      expect.objectContaining({
        receivableId: 'R1',
        outstandingMinor: 250_000,
        daysOverdue: 49,
        bucket: '30+',
      }),
      expect.objectContaining({
        receivableId: 'R4',
        outstandingMinor: 12_345,
        daysOverdue: 1,
        bucket: '1-7',
      }),
    ]);
    const cny = s.currencies[0];
    expect(cny?.aging.find((a) => a.bucket === '30+')).toEqual({
      bucket: '30+',
      outstandingMinor: 250_000,
      items: 1,
    });
    expect(cny?.aging.map((a) => a.bucket)).toEqual(['current', '1-7', '8-15', '16-30', '30+']);
    expect(cny?.aging.reduce((t, a) => t + a.outstandingMinor, 0)).toBe(cny?.closingMinor);
  });

  it('counts a receivable issued on the first day as invoiced, not opening', () => {
    const one = buildStatement('2026-04-01', '2026-04-30', [r({ id: 'X', issueDate: '2026-04-01' })], []);
    expect(one.currencies[0]).toMatchObject({
      openingMinor: 0,
      invoicedMinor: 100_000,
      closingMinor: 100_000,
    });
  });

  it('is empty for a counterparty with nothing in or before the period', () => {
    expect(statementIsEmpty(buildStatement('2026-04-01', '2026-04-30', [], []))).toBe(true);
    expect(statementIsEmpty(s)).toBe(false);
  });

  it('rebuilds a receivable’s outstanding on a day from its facts', () => {
    const r3 = receivables[2] as StatementReceivable;
    const own = payments.filter((p) => p.receivableId === 'R3');
    expect(outstandingAt(r3, own, '2026-01-04')).toBe(0);
    expect(outstandingAt(r3, own, '2026-01-31')).toBe(300_000);
    expect(outstandingAt(r3, own, '2026-04-14')).toBe(250_000);
    expect(outstandingAt(r3, own, '2026-04-15')).toBe(0);
  });

  it('finds the previous month', () => {
    expect(previousMonthPeriod('2026-03-01')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(previousMonthPeriod('2026-01-15')).toEqual({ from: '2025-12-01', to: '2025-12-31' });
  });
});

describe('the letterhead settings', () => {
  it('reads the address, contact and seal (a path from the repository root); each optional', async () => {
    const { loadConfig } = await import('../../infra/config.js');
    const none = loadConfig({}).company;
    expect([none.address, none.contact, none.sealImagePath]).toEqual([undefined, undefined, undefined]);
    const c = loadConfig({
      COMPANY_NAME: '华东机电设备有限公司',
      COMPANY_ADDRESS: ' 杭州市文三路 88 号 ',
      COMPANY_CONTACT: '0571-8888 6666',
      COMPANY_SEAL_IMAGE: 'docs/images/sample-seal.png',
    }).company;
    expect(c).toMatchObject({
      name: '华东机电设备有限公司',
      address: '杭州市文三路 88 号',
      contact: '0571-8888 6666',
    });
    expect(c.sealImagePath).toMatch(/^\/.*\/docs\/images\/sample-seal\.png$/);
  });
});
