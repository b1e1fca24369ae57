import { describe, expect, it } from 'vitest';
import { addDays } from '../../domain/calendar.js';
import {
  backtestForecast,
  collectionsForecast,
  type HistoryPayment,
  type HistoryReceivable,
} from '../../domain/collections-forecast.js';
import {
  DEFAULT_SCORE_WEIGHTS,
  SCORE_FACTORS,
  scoreCustomer,
  warningEpisode,
  worseningTrend,
} from '../../domain/customer-score.js';
import {
  type BehaviourPayment,
  type BehaviourReceivable,
  monthsBack,
  paymentBehaviour,
} from '../../domain/payment-behaviour.js';

const r = (
  id: string,
  dueDate: string,
  amountMinor = 100_00,
  extra: Partial<BehaviourReceivable> = {},
): BehaviourReceivable => ({
  id,
  currency: 'CNY',
  amountMinor,
  issueDate: addDays(dueDate, -30),
  dueDate,
  writtenOffMinor: 0,
  settledOn: null,
  ...extra,
});
const pay = (
  receivableId: string,
  paidOn: string,
  amountMinor = 100_00,
  discountMinor = 0,
): BehaviourPayment => ({
  receivableId,
  paidOn,
  amountMinor,
  discountMinor,
});

describe('payment behaviour from the record', () => {
  const asOf = '2026-06-30';

  it('on-time rate is by amount; days late from the payments; p90 over every due receivable', () => {
    const receivables = [
      r('a', '2026-03-01', 300_00, { settledOn: '2026-03-01' }),
      r('b', '2026-04-01', 100_00, { settledOn: '2026-04-21' }),
      r('c', '2026-05-01', 100_00, { settledOn: '2026-05-11' }),
    ];
    const b = paymentBehaviour({
      asOf,
      windowMonths: 12,
      receivables,
      payments: [pay('a', '2026-03-01', 300_00), pay('b', '2026-04-21'), pay('c', '2026-05-11')],
      events: [],
    });
    expect(b.receivablesDue).toBe(3);
    expect(b.onTimeRateBp).toBe(6000); // 300 of 500 paid by the due date
    expect(b.averageDaysLate).toBe(15); // (20 + 10) ÷ 2 late ones
    expect(b.p90DaysLate).toBe(20);
    expect(b.brokenPromises).toBe(0);
    expect(b.writeOffRateBp).toBe(0);
  });

  it('an open overdue receivable counts late until today; a write-off late until its day', () => {
    const b = paymentBehaviour({
      asOf,
      windowMonths: 12,
      receivables: [
        r('open', '2026-06-20'),
        r('w', '2026-05-01', 100_00, { writtenOffMinor: 100_00, settledOn: '2026-06-01' }),
      ],
      payments: [],
      events: [
        { kind: 'promise-broken', on: '2026-06-01' },
        { kind: 'dispute', on: '2025-01-01' }, // outside the window
      ],
    });
    expect(b.onTimeRateBp).toBe(0);
    expect(b.averageDaysLate).toBe(20.5); // 10 and 31
    expect(b.writeOffRateBp).toBe(5000);
    expect(b.writeOffs).toBe(1);
    expect(b.brokenPromises).toBe(1);
    expect(b.disputes).toBe(0);
  });

  it('trend: this quarter against the previous', () => {
    const b = paymentBehaviour({
      asOf,
      windowMonths: 12,
      receivables: [
        r('old', '2026-02-01', 100_00, { settledOn: '2026-02-03' }),
        r('new', '2026-06-01', 100_00, { settledOn: '2026-06-13' }),
      ],
      payments: [pay('old', '2026-02-03'), pay('new', '2026-06-13')],
      events: [],
    });
    expect(b.lateTrendDays).toBe(10);
  });

  it('discount take-up: receivables paid in full with the discount ÷ those paid in full', () => {
    const b = paymentBehaviour({
      asOf,
      windowMonths: 12,
      receivables: [
        r('a', '2026-03-01', 100_00, { settledOn: '2026-02-05' }),
        r('b', '2026-04-01', 100_00, { settledOn: '2026-04-01' }),
      ],
      payments: [pay('a', '2026-02-05', 99_00, 1_00), pay('b', '2026-04-01')],
      events: [],
    });
    expect(b.discountTakeUpBp).toBe(5000);
    expect(b.onTimeRateBp).toBe(10000);
  });

  it('no history: every behaviour figure is null', () => {
    const b = paymentBehaviour({ asOf, windowMonths: 12, receivables: [], payments: [], events: [] });
    expect(b.onTimeRateBp).toBeNull();
    expect(b.averageDaysLate).toBeNull();
    expect(b.p90DaysLate).toBeNull();
  });

  it('months back keep the day, or the month end', () => {
    expect(monthsBack('2026-03-31', 1)).toBe('2026-02-28');
    expect(monthsBack('2026-06-30', 12)).toBe('2025-06-30');
  });
});

describe('the customer score from facts and behaviour', () => {
  const today = '2026-06-30';
  const goodBehaviour = paymentBehaviour({
    asOf: today,
    windowMonths: 12,
    receivables: [r('a', '2026-03-01', 100_00, { settledOn: '2026-03-01' })],
    payments: [pay('a', '2026-03-01')],
    events: [],
  });

  it('default weights sum to 100 and every factor has a contribution', () => {
    expect(SCORE_FACTORS.reduce((s, f) => s + DEFAULT_SCORE_WEIGHTS[f], 0)).toBe(100);
    const s = scoreCustomer({ facts: [], behaviour: goodBehaviour, tradingMonths: 36, today });
    expect(s.contributions.map((c) => c.factor)).toEqual([...SCORE_FACTORS]);
    const sum = s.contributions.reduce((a, c) => a + c.weight * c.points, 0);
    expect(s.score).toBe(Math.floor((sum + 50) / 100));
  });

  it('a fact older than the limit counts as missing and says so', () => {
    const fresh = { factor: 'creditReportScore', value: 90, asOf: '2026-01-01', document: 'report 2026-01' };
    const stale = { ...fresh, asOf: '2025-05-01', document: 'report 2025-05' };
    const withFresh = scoreCustomer({ facts: [fresh], behaviour: goodBehaviour, tradingMonths: 36, today });
    const withStale = scoreCustomer({ facts: [stale], behaviour: goodBehaviour, tradingMonths: 36, today });
    const report = (s: typeof withFresh) => s.contributions.find((c) => c.factor === 'creditReport');
    expect(report(withFresh)).toMatchObject({ points: 90, source: { document: 'report 2026-01' } });
    expect(report(withStale)).toMatchObject({ points: 50, missing: 'stale', value: null });
    expect(withStale.missing).toContainEqual({ factor: 'creditReport', why: 'stale' });
    expect(withFresh.missing).not.toContainEqual(expect.objectContaining({ factor: 'creditReport' }));
    // The newest fact of a kind wins.
    const both = scoreCustomer({ facts: [stale, fresh], behaviour: goodBehaviour, tradingMonths: 36, today });
    expect(report(both)?.points).toBe(90);
  });

  it('bad behaviour lowers the score and the class', () => {
    const bad = paymentBehaviour({
      asOf: today,
      windowMonths: 12,
      receivables: [
        r('a', '2026-03-01', 100_00, { writtenOffMinor: 100_00, settledOn: '2026-05-30' }),
        r('b', '2026-04-01'),
      ],
      payments: [],
      events: [
        { kind: 'promise-broken', on: '2026-04-10' },
        { kind: 'promise-broken', on: '2026-04-20' },
        { kind: 'promise-broken', on: '2026-05-10' },
        { kind: 'dispute', on: '2026-05-01' },
      ],
    });
    const facts = [{ factor: 'industryRisk', value: 'high', asOf: '2026-01-01', document: 'sector review' }];
    const good = scoreCustomer({ facts, behaviour: goodBehaviour, tradingMonths: 36, today });
    const worse = scoreCustomer({ facts, behaviour: bad, tradingMonths: 36, today });
    expect(worse.score).toBeLessThan(good.score);
    expect(worse.customerClass).toBe('D');
    expect(worse.contributions.find((c) => c.factor === 'brokenPromises')?.points).toBe(0);
  });
});

describe('early warning, once per episode', () => {
  const h = (...scores: [number, 'A' | 'B' | 'C' | 'D'][]) =>
    scores.map(([score, customerClass]) => ({ score, customerClass }));
  const policy = { dropPoints: 10, overRefreshes: 3 };

  it('a fall of N points over M refreshes, or a class drop', () => {
    expect(worseningTrend(h([85, 'A'], [80, 'A'], [78, 'B'], [74, 'B']), policy)).toEqual(['score-drop']);
    expect(worseningTrend(h([82, 'A'], [79, 'B']), policy)).toEqual(['class-fall']);
    expect(worseningTrend(h([70, 'B'], [70, 'B']), policy)).toEqual([]);
    expect(worseningTrend(h([70, 'B']), policy)).toEqual([]);
    // The first score: against the class the customer stood in.
    expect(worseningTrend(h([70, 'B']), policy, 'A')).toEqual(['class-fall']);
  });

  it('tells on the first worsening refresh only, again after the episode ends', () => {
    let open = false;
    const told: boolean[] = [];
    for (const reasons of [['score-drop'], ['score-drop'], [], ['class-fall']] as const) {
      const e = warningEpisode(open, reasons);
      open = e.open;
      told.push(e.tell);
    }
    expect(told).toEqual([true, false, false, true]);
  });
});

describe('collections forecast', () => {
  const asOf = '2026-06-01';
  const settled = (counterpartyId: string, late: number[]) =>
    late.map((d, i) => {
      const dueDate = addDays('2026-01-01', i * 10);
      return { counterpartyId, dueDate, settledOn: addDays(dueDate, d) };
    });

  it('puts each receivable on its due date plus its own days late', () => {
    const f = collectionsForecast({
      asOf,
      open: [
        {
          id: 'r1',
          counterpartyId: 'c1',
          salespersonId: 's1',
          currency: 'CNY',
          dueDate: '2026-06-10',
          outstandingMinor: 1000_00,
        },
        {
          id: 'r2',
          counterpartyId: 'c2',
          salespersonId: 's1',
          currency: 'CNY',
          dueDate: '2026-06-10',
          outstandingMinor: 500_00,
        },
        {
          id: 'r3',
          counterpartyId: 'c2',
          salespersonId: 's2',
          currency: 'CNY',
          dueDate: '2026-06-10',
          outstandingMinor: 200_00,
          hold: { kind: 'dispute' },
        },
        {
          id: 'r4',
          counterpartyId: 'c2',
          salespersonId: 's2',
          currency: 'USD',
          dueDate: '2026-05-01',
          outstandingMinor: 300_00,
          hold: { kind: 'promise', promisedBy: '2026-06-20' },
        },
      ],
      settled: [...settled('c1', [0, 0, 0]), ...settled('c2', [14, 14, 14])],
    });
    const cny = f.currencies.find((c) => c.currency === 'CNY');
    expect(cny?.weeks[1]?.expectedMinor).toBe(1000_00); // 06-10 is in week 1 (06-08 … 06-14)
    expect(cny?.weeks[3]?.expectedMinor).toBe(500_00); // 06-24 in week 3
    expect(cny?.disputedMinor).toBe(200_00);
    expect(cny?.weeks[1]).toMatchObject({ lowMinor: 1000_00, highMinor: 1000_00 });
    const usd = f.currencies.find((c) => c.currency === 'USD');
    expect(usd?.weeks[2]?.expectedMinor).toBe(300_00); // the promise, 06-20
    expect(f.receivables.find((x) => x.id === 'r2')).toMatchObject({
      predictedDate: '2026-06-24',
      basis: 'own-history',
    });
    expect(f.bySalesperson.find((g) => g.key === 's1')?.expectedMinor).toBe(1500_00);
    expect(f.byCounterparty.find((g) => g.key === 'c2' && g.currency === 'CNY')?.expectedMinor).toBe(500_00);
  });

  it('a range from drawing dates: a spread history gives a spread week', () => {
    const f = collectionsForecast({
      asOf,
      open: Array.from({ length: 20 }, (_, i) => ({
        id: `r${i}`,
        counterpartyId: 'c1',
        salespersonId: 's1',
        currency: 'CNY',
        dueDate: '2026-06-03',
        outstandingMinor: 100_00,
      })),
      settled: settled('c1', [0, 0, 10, 10]),
    });
    const w0 = f.currencies[0]?.weeks[0];
    expect(w0?.expectedMinor).toBe(1000_00);
    expect(w0?.lowMinor).toBeLessThan(1000_00);
    expect(w0?.highMinor).toBeGreaterThan(1000_00);
  });
});

/**
 * A generated history with known behaviour: three customers, one receivable each a week for two
 * years, due 30 days after issue; customer k pays `lateness(k, i)` days late.
 */
function generatedHistory(lateness: (k: number, i: number) => number, until: string) {
  const receivables: HistoryReceivable[] = [];
  const payments: HistoryPayment[] = [];
  const start = '2024-06-03';
  for (let k = 0; k < 3; k++) {
    for (let i = 0; ; i++) {
      const issueDate = addDays(start, i * 7 + k);
      if (issueDate >= until) break;
      const dueDate = addDays(issueDate, 30);
      const paidOn = addDays(dueDate, lateness(k, i));
      const amountMinor = (k + 1) * 1000_00;
      const paid = paidOn < until;
      const id = `r-${k}-${i}`;
      receivables.push({
        id,
        counterpartyId: `c${k}`,
        salespersonId: 's1',
        currency: 'CNY',
        amountMinor,
        issueDate,
        dueDate,
        writtenOffMinor: 0,
        settledOn: paid ? paidOn : null,
      });
      if (paid) payments.push({ receivableId: id, amountMinor, discountMinor: 0, paidOn });
    }
  }
  return { receivables, payments };
}

describe('backtest on a generated history with known behaviour', () => {
  const asOf = '2026-06-01';

  it('customers who always pay the same days late are forecast exactly', () => {
    const late = [0, 10, 25];
    const h = generatedHistory((k) => late[k] ?? 0, asOf);
    const b = backtestForecast({ asOf, months: 6, ...h });
    const cny = b.byCurrency[0];
    expect(cny?.weeks).toBeGreaterThanOrEqual(25);
    expect(cny?.maeMinor).toBe(0);
    expect(cny?.mapeBp).toBe(0);
    expect(b.byHorizon.map((x) => x.byCurrency[0]?.maeMinor)).toEqual([0, 0, 0, 0]);
  });

  it('customers with spread lateness: the error is measured and bounded', () => {
    // Deterministic spread: lateness cycles 0…20 days around each customer's own centre.
    const h = generatedHistory((k, i) => ([0, 10, 25][k] as number) + ((i * 7) % 21), asOf);
    const b = backtestForecast({ asOf, months: 6, ...h });
    const cny = b.byCurrency[0];
    expect(cny?.maeMinor).toBeGreaterThan(0);
    expect(cny?.mapeBp).not.toBeNull();
    // Measured: one week ahead, weekly MAE 105,056 minor units (¥1,050.56 on about ¥6,000 a week), MAPE 17.51 %.
    expect(cny?.maeMinor).toBe(105_056);
    expect(cny?.mapeBp).toBe(1751);
    expect(Math.abs((cny?.predictedMinor ?? 0) - (cny?.actualMinor ?? 0))).toBeLessThan(
      (cny?.actualMinor ?? 0) * 0.1,
    );
  });
});

describe('policy.customer.score', () => {
  it('is optional: a policy without it scores with the defaults; a stored section is validated by field', async () => {
    const { resolvePolicy, PolicyError } = await import('../../infra/policy.js');
    expect(resolvePolicy({}).customer.score).toBeUndefined();
    expect(
      resolvePolicy({ customer: { score: { windowMonths: 6, debounceSeconds: 30 } } }).customer.score,
    ).toEqual({
      windowMonths: 6,
      debounceSeconds: 30,
    });
    let error: unknown;
    try {
      resolvePolicy({ customer: { score: { weights: { ...DEFAULT_SCORE_WEIGHTS, onTimeRate: 50 } } } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as InstanceType<typeof PolicyError>).fields.map((f) => f.path)).toEqual([
      'customer.score.weights',
    ]);
  });
});
