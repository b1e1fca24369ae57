/** docs/domain.md §7 report arithmetic, every expected figure worked out by hand. */
import { describe, expect, it } from 'vitest';
import { agingColumn } from '../../domain/aging.js';
import { toCsv } from '../../domain/csv.js';
import {
  agingReport,
  collectionRows,
  dsoDays,
  dsoRows,
  gradeDistribution,
  monthPeriods,
  monthSpan,
  monthsBefore,
} from '../../domain/reports.js';

/** An aging row as the report gives it: its buckets (current, 1–7, 8–15, 16–30, over 30 days) and total. */
const agingRow = (
  key: string,
  name: string,
  currency: string,
  [currentMinor, overdue1to7Minor, overdue8to15Minor, overdue16to30Minor, overdueOver30Minor]: number[],
  totalMinor: number,
) => ({
  key,
  name,
  currency,
  currentMinor,
  overdue1to7Minor,
  overdue8to15Minor,
  overdue16to30Minor,
  overdueOver30Minor,
  totalMinor,
});

describe('aging buckets', () => {
  const asOf = '2025-06-30';
  it.each([
    ['2025-07-05', 'currentMinor'], // due in 5 days
    ['2025-06-30', 'currentMinor'], // due today: not yet overdue
    ['2025-06-29', 'overdue1to7Minor'], // 1 day
    ['2025-06-23', 'overdue1to7Minor'], // 7 days
    ['2025-06-22', 'overdue8to15Minor'], // 8 days
    ['2025-06-15', 'overdue8to15Minor'], // 15 days
    ['2025-06-14', 'overdue16to30Minor'], // 16 days
    ['2025-05-31', 'overdue16to30Minor'], // 30 days (June has 30: 30 June − 31 May)
    ['2025-05-30', 'overdueOver30Minor'], // 31 days
    ['2024-06-30', 'overdueOver30Minor'], // a year
  ])('due %s is %s on 2025-06-30', (due, bucket) => {
    expect(agingColumn(due, asOf)).toBe(bucket);
  });

  it('sums per group and currency, with a total per currency, skipping nothing-outstanding rows', () => {
    const report = agingReport(
      [
        { key: 'D-2', name: 'Beta', currency: 'CNY', dueDate: '2025-07-10', outstandingMinor: 100_00 },
        { key: 'D-1', name: 'Alpha', currency: 'CNY', dueDate: '2025-06-25', outstandingMinor: 200_00 }, // 5 d
        { key: 'D-1', name: 'Alpha', currency: 'CNY', dueDate: '2025-06-20', outstandingMinor: 50_00 }, // 10 d
        { key: 'D-1', name: 'Alpha', currency: 'CNY', dueDate: '2025-05-01', outstandingMinor: 7_00 }, // 60 d
        { key: 'D-1', name: 'Alpha', currency: 'USD', dueDate: '2025-06-10', outstandingMinor: 30_00 }, // 20 d
        { key: 'D-3', name: 'Gamma', currency: 'CNY', dueDate: '2025-06-01', outstandingMinor: 0 },
      ],
      '2025-06-30',
    );
    expect(report.rows).toEqual([
      agingRow('D-1', 'Alpha', 'CNY', [0, 20000, 5000, 0, 700], 25700),
      agingRow('D-1', 'Alpha', 'USD', [0, 0, 0, 3000, 0], 3000),
      agingRow('D-2', 'Beta', 'CNY', [10000, 0, 0, 0, 0], 10000),
    ]);
    expect(report.totals).toEqual([
      agingRow('total', 'total', 'CNY', [10000, 20000, 5000, 0, 700], 35700),
      agingRow('total', 'total', 'USD', [0, 0, 0, 3000, 0], 3000),
    ]);
  });

  it('refuses amounts that are not whole minor units', () => {
    const item = { key: 'D-1', name: 'A', currency: 'CNY', dueDate: '2025-06-01' };
    expect(() => agingReport([{ ...item, outstandingMinor: 1.5 }], '2025-06-30')).toThrow(/outstandingMinor/);
    expect(() => agingReport([{ ...item, outstandingMinor: -1 }], '2025-06-30')).toThrow(/outstandingMinor/);
  });
});

describe('DSO', () => {
  it('is receivables ÷ credit sales × days, one decimal, half up', () => {
    expect(dsoDays(300_000, 450_000, 30)).toBe(20); // 300000/450000 × 30 = 20
    expect(dsoDays(100, 300, 31)).toBe(10.3); // 10.333…
    expect(dsoDays(2, 3, 1)).toBe(0.7); // 0.666…
    expect(dsoDays(1, 4, 1)).toBe(0.3); // 0.25 → tie, up
    expect(dsoDays(1, 8, 1)).toBe(0.1); // 0.125 → 0.1
    expect(dsoDays(0, 500, 28)).toBe(0);
    expect(dsoDays(900_000, 100_000, 31)).toBe(279); // 9 × 31
  });

  it('has no value without credit sales, and stays exact for large amounts', () => {
    expect(dsoDays(123_456, 0, 30)).toBeNull();
    // (2^53 − 1) × 31 ÷ (2^53 − 1) = 31 exactly; a float product would have lost digits.
    expect(dsoDays(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 31)).toBe(31);
    expect(() => dsoDays(1, 1, 0)).toThrow(/days/);
  });

  it('covers whole months; the running month ends today', () => {
    expect(monthPeriods('2024-12', '2025-03', '2025-03-10')).toEqual([
      { month: '2024-12', first: '2024-12-01', last: '2024-12-31', days: 31 },
      { month: '2025-01', first: '2025-01-01', last: '2025-01-31', days: 31 },
      { month: '2025-02', first: '2025-02-01', last: '2025-02-28', days: 28 },
      { month: '2025-03', first: '2025-03-01', last: '2025-03-10', days: 10 },
    ]);
    expect(monthPeriods('2024-02', '2024-02', '2025-01-01')).toEqual([
      { month: '2024-02', first: '2024-02-01', last: '2024-02-29', days: 29 },
    ]);
    // Months that have not begun are left out.
    expect(monthPeriods('2025-03', '2025-05', '2025-03-31').map((p) => p.month)).toEqual(['2025-03']);
    expect(() => monthPeriods('2025-04', '2025-03', '2025-12-31')).toThrow(/after/);
  });

  it('counts months back and across', () => {
    expect(monthsBefore('2025-03', 11)).toBe('2024-04');
    expect(monthsBefore('2025-01', 1)).toBe('2024-12');
    expect(monthsBefore('2025-01', 0)).toBe('2025-01');
    expect(monthsBefore('2025-12', 24)).toBe('2023-12');
    expect(monthSpan('2024-04', '2025-03')).toBe(12);
    expect(monthSpan('2025-03', '2025-03')).toBe(1);
  });

  it('gives every period a row, in the company currency when nothing was sold', () => {
    const periods = monthPeriods('2025-01', '2025-02', '2025-12-31');
    const rows = dsoRows(
      periods,
      [
        { month: '2025-02', currency: 'USD', receivablesMinor: 50, creditSalesMinor: 100 },
        { month: '2025-02', currency: 'CNY', receivablesMinor: 600_000, creditSalesMinor: 400_000 },
      ],
      'CNY',
    );
    expect(rows).toEqual([
      {
        month: '2025-01',
        currency: 'CNY',
        receivablesMinor: 0,
        creditSalesMinor: 0,
        periodEnd: '2025-01-31',
        days: 31,
        dsoDays: null,
      },
      {
        month: '2025-02',
        currency: 'CNY',
        receivablesMinor: 600_000,
        creditSalesMinor: 400_000,
        periodEnd: '2025-02-28',
        days: 28,
        dsoDays: 42, // 1.5 × 28
      },
      {
        month: '2025-02',
        currency: 'USD',
        receivablesMinor: 50,
        creditSalesMinor: 100,
        periodEnd: '2025-02-28',
        days: 28,
        dsoDays: 14, // 0.5 × 28
      },
    ]);
  });
});

describe('collection results', () => {
  it('joins collected, written off and escalated per month and currency, zeros where nothing happened', () => {
    const periods = monthPeriods('2025-04', '2025-06', '2025-06-30');
    // April's payments: collected 1,000 of which 700 on time and 300 late, 10 of discount taken.
    const april = { collectedMinor: 1000, onTimeMinor: 700, lateMinor: 300, discountMinor: 10 };
    const rows = collectionRows(
      periods,
      {
        collected: [{ month: '2025-04', currency: 'CNY', ...april }],
        writtenOff: [{ month: '2025-06', currency: 'CNY', writtenOffMinor: 555 }],
        escalations: [
          { month: '2025-04', currency: 'CNY', step: 'dueCheck', receivables: 2 },
          { month: '2025-04', currency: 'CNY', step: 'warning', receivables: 1 },
          { month: '2025-06', currency: 'USD', step: 'legal', receivables: 1 },
        ],
      },
      'CNY',
    );
    const none = { dueCheck: 0, secondNotice: 0, warning: 0, legal: 0 };
    const zero = { collectedMinor: 0, onTimeMinor: 0, lateMinor: 0, discountMinor: 0, writtenOffMinor: 0 };
    expect(rows).toEqual([
      {
        month: '2025-04',
        currency: 'CNY',
        ...april,
        writtenOffMinor: 0,
        escalations: { ...none, dueCheck: 2, warning: 1 },
      },
      { month: '2025-05', currency: 'CNY', ...zero, escalations: none },
      { month: '2025-06', currency: 'CNY', ...zero, writtenOffMinor: 555, escalations: none },
      { month: '2025-06', currency: 'USD', ...zero, escalations: { ...none, legal: 1 } },
    ]);
  });
});

describe('grade distribution', () => {
  it('lists every grade best to worst, then the unrated, with zeros', () => {
    const d = gradeDistribution([
      { kind: 'dealer', grade: 'BB', count: 2 },
      { kind: 'dealer', grade: 'AA', count: 1 },
      { kind: 'dealer', grade: null, count: 4 },
      { kind: 'customer', grade: 'C', count: 3 },
    ]);
    expect(d.dealers).toEqual([
      { grade: 'AA', count: 1 },
      { grade: 'AB', count: 0 },
      { grade: 'BA', count: 0 },
      { grade: 'BB', count: 2 },
      { grade: 'AC', count: 0 },
      { grade: 'CA', count: 0 },
      { grade: 'BC', count: 0 },
      { grade: 'CB', count: 0 },
      { grade: 'CC', count: 0 },
      { grade: null, count: 4 },
    ]);
    expect(d.customers).toEqual([
      { grade: 'A', count: 0 },
      { grade: 'B', count: 0 },
      { grade: 'C', count: 3 },
      { grade: 'D', count: 0 },
      { grade: null, count: 0 },
    ]);
  });

  it('refuses a grade outside the scale', () => {
    expect(() => gradeDistribution([{ kind: 'customer', grade: 'AA', count: 1 }])).toThrow(/AA/);
  });
});

describe('CSV', () => {
  it('has a header row, quotes where needed, defuses formulas and leaves null empty', () => {
    const csv = toCsv(
      [
        { header: 'id', value: (r: { id: string; n: number | null }) => r.id },
        { header: 'amount_minor', value: (r) => r.n },
      ],
      [
        { id: 'D-1', n: 12345 },
        { id: 'Acme, "Ltd"', n: null },
        { id: '=HYPERLINK("x")', n: 0 },
      ],
    );
    expect(csv).toBe('id,amount_minor\r\nD-1,12345\r\n"Acme, ""Ltd""",\r\n"\'=HYPERLINK(""x"")",0\r\n');
  });
});
