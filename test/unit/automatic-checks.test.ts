/**
 * The automatic credit checks' decision (domain/automatic-checks.ts), tested directly: the
 * hard rejections, the available limit, the salesperson's limit and its early warning, and
 * the requested term against the term the grade allows.
 */
import { describe, expect, it } from 'vitest';
import { type AutomaticCheckFacts, automaticCheckDecision } from '../../domain/automatic-checks.js';

/** A dealer graded AB for two years, ¥1,000,000.00 limit, 60 days; an application of ¥10,000.00 for 30 days. */
function facts(over: {
  application?: Partial<AutomaticCheckFacts['application']>;
  counterparty?: Partial<AutomaticCheckFacts['counterparty']>;
  salesperson?: Partial<AutomaticCheckFacts['salesperson']>;
  exposureMinor?: number;
  salespersonOutstandingMinor?: number;
  today?: string;
}): AutomaticCheckFacts {
  return {
    application: { amountMinor: 1_000_000, requestedTermDays: 30, ...over.application },
    counterparty: {
      name: 'Dealer One',
      kind: 'dealer',
      creditGrade: 'AB',
      customerClass: null,
      creditLimitMinor: 100_000_000,
      creditTermDays: 60,
      joinedOn: '2024-01-15',
      supplyStopped: false,
      ...over.counterparty,
    },
    salesperson: { name: 'Li', creditLimitMinor: null, ...over.salesperson },
    exposureMinor: over.exposureMinor ?? 0,
    salespersonOutstandingMinor: over.salespersonOutstandingMinor ?? 0,
    today: over.today ?? '2026-03-02',
    limitWarningBp: 8_000,
  };
}

describe('hard rejections', () => {
  it('a counterparty whose supply is stopped is rejected at once', () => {
    const d = automaticCheckDecision(facts({ counterparty: { supplyStopped: true } }));
    expect(d.hardRejection).toBe('supply to Dealer One is stopped: a receivable is 15 or more days overdue');
    expect(d.recommendation).toBe('reject');
  });

  it('a class D customer gets cash or prepayment only', () => {
    const d = automaticCheckDecision(
      facts({ counterparty: { kind: 'customer', creditGrade: null, customerClass: 'D', name: 'Shop' } }),
    );
    expect(d.hardRejection).toBe('Shop is class D: cash or prepayment only');
  });

  it('a dealer in its first quarter gets no credit; an ungraded one none either', () => {
    expect(automaticCheckDecision(facts({ counterparty: { joinedOn: '2026-01-10' } })).hardRejection).toBe(
      'new dealer: no credit in the first quarter',
    );
    expect(automaticCheckDecision(facts({ counterparty: { creditGrade: null } })).hardRejection).toBe(
      'dealer Dealer One has no credit grade yet',
    );
  });

  it('in its second quarter only a good grade gets credit', () => {
    const second = { joinedOn: '2025-12-01' };
    expect(
      automaticCheckDecision(facts({ counterparty: { ...second, creditGrade: 'AB' } })).hardRejection,
    ).toBeNull();
    const d = automaticCheckDecision(facts({ counterparty: { ...second, creditGrade: 'CC' } }));
    expect(d.hardRejection).not.toBeNull();
    expect(d.recommendation).toBe('reject');
  });

  it('a salesperson at 100 % of the receivables limit gets no new credit', () => {
    const d = automaticCheckDecision(
      facts({ salesperson: { creditLimitMinor: 5_000_000 }, salespersonOutstandingMinor: 5_000_000 }),
    );
    expect(d.hardRejection).toBe(
      'salesperson Li has reached 100 % of the receivables limit (5000000 of 5000000)',
    );
    expect(d.limitWarning).toBeNull();
  });

  it('the first hard rule is the rejection; every one is a finding', () => {
    const d = automaticCheckDecision(facts({ counterparty: { supplyStopped: true, creditGrade: null } }));
    expect(d.hardRejection).toMatch(/^supply to Dealer One is stopped/);
    expect(d.findings.slice(0, 2)).toEqual([
      'supply to Dealer One is stopped: a receivable is 15 or more days overdue',
      'dealer Dealer One has no credit grade yet',
    ]);
  });
});

describe('the available limit', () => {
  it('within it: approve, and the finding says how much is available', () => {
    const d = automaticCheckDecision(facts({ exposureMinor: 40_000_000 }));
    expect(d).toMatchObject({ hardRejection: null, recommendation: 'approve', availableMinor: 60_000_000 });
    expect(d.findings).toEqual(['within the available limit: 60000000 of 100000000']);
  });

  it('over it: reject, naming limit and exposure', () => {
    const d = automaticCheckDecision(facts({ exposureMinor: 99_500_000 }));
    expect(d.recommendation).toBe('reject');
    expect(d.hardRejection).toBeNull();
    expect(d.findings).toContain(
      'amount 1000000 exceeds the available limit 500000 (limit 100000000 − exposure 99500000)',
    );
  });

  it('exposure above the limit leaves nothing available, never a negative figure', () => {
    expect(automaticCheckDecision(facts({ exposureMinor: 120_000_000 })).availableMinor).toBe(0);
  });
});

describe("the salesperson's limit", () => {
  it('an application that would take them over it is recommended for rejection', () => {
    const d = automaticCheckDecision(
      facts({ salesperson: { creditLimitMinor: 5_000_000 }, salespersonOutstandingMinor: 4_500_000 }),
    );
    expect(d.recommendation).toBe('reject');
    expect(d.hardRejection).toBeNull();
    expect(d.findings).toContain('would take salesperson Li over the receivables limit (5500000 of 5000000)');
  });

  it('crossing the warning level: a finding and the early warning, once', () => {
    const d = automaticCheckDecision(
      facts({ salesperson: { creditLimitMinor: 5_000_000 }, salespersonOutstandingMinor: 3_500_000 }),
    );
    expect(d.recommendation).toBe('approve');
    expect(d.findings).toContain('salesperson Li would use 90 % of the receivables limit');
    expect(d.limitWarning).toEqual({ afterMinor: 4_500_000, limitMinor: 5_000_000, usagePercent: 90 });
  });

  it('already above the warning level: the finding again, but no second warning', () => {
    const d = automaticCheckDecision(
      facts({
        application: { amountMinor: 100_000 },
        salesperson: { creditLimitMinor: 5_000_000 },
        salespersonOutstandingMinor: 4_200_000,
      }),
    );
    expect(d.findings).toContain('salesperson Li would use 86 % of the receivables limit');
    expect(d.limitWarning).toBeNull();
  });

  it('no warning when a hard rule rejects the application anyway', () => {
    const d = automaticCheckDecision(
      facts({
        counterparty: { supplyStopped: true },
        salesperson: { creditLimitMinor: 5_000_000 },
        salespersonOutstandingMinor: 3_500_000,
      }),
    );
    expect(d.limitWarning).toBeNull();
  });
});

describe('the requested term against the grade', () => {
  it('longer than the grade allows: review, unless already rejected', () => {
    const d = automaticCheckDecision(facts({ application: { requestedTermDays: 90 } }));
    expect(d.recommendation).toBe('review');
    expect(d.findings).toContain('requested term 90 days exceeds the 60 days the grade allows');
    const over = automaticCheckDecision(
      facts({ application: { requestedTermDays: 90 }, exposureMinor: 99_500_000 }),
    );
    expect(over.recommendation).toBe('reject');
  });

  it('no term set: nothing to compare', () => {
    const d = automaticCheckDecision(
      facts({ counterparty: { creditTermDays: null }, application: { requestedTermDays: 365 } }),
    );
    expect(d.recommendation).toBe('approve');
  });
});
