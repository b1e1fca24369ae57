import { describe, expect, it } from 'vitest';
import { agingBucket, agingTotals } from '../../domain/aging.js';

describe('receivables aging', () => {
  it('puts each day overdue in the bucket of the collection step it has reached', () => {
    expect([-30, -1, 0].map(agingBucket)).toEqual(['current', 'current', 'current']);
    expect([1, 7].map(agingBucket)).toEqual(['1-7', '1-7']);
    expect([8, 15].map(agingBucket)).toEqual(['8-15', '8-15']);
    expect([16, 30].map(agingBucket)).toEqual(['16-30', '16-30']);
    expect([31, 400].map(agingBucket)).toEqual(['30+', '30+']);
  });

  it('totals the outstanding amount and the receivables per bucket, every bucket present', () => {
    const totals = agingTotals(
      [
        { dueDate: '2026-03-20', outstandingMinor: 100, receivables: 1 }, // not yet due
        { dueDate: '2026-03-10', outstandingMinor: 250, receivables: 2 }, // due today
        { dueDate: '2026-03-09', outstandingMinor: 40, receivables: 1 }, // 1 day
        { dueDate: '2026-02-24', outstandingMinor: 7, receivables: 1 }, // 14 days
        { dueDate: '2026-02-08', outstandingMinor: 5, receivables: 1 }, // 30 days (2026 is not a leap year)
        { dueDate: '2026-02-07', outstandingMinor: 3, receivables: 1 }, // 31 days
      ],
      '2026-03-10',
    );
    expect(totals).toEqual({
      current: { outstandingMinor: 350, receivables: 3 },
      '1-7': { outstandingMinor: 40, receivables: 1 },
      '8-15': { outstandingMinor: 7, receivables: 1 },
      '16-30': { outstandingMinor: 5, receivables: 1 },
      '30+': { outstandingMinor: 3, receivables: 1 },
    });
    expect(agingTotals([], '2026-03-10')['30+']).toEqual({ outstandingMinor: 0, receivables: 0 });
  });
});
