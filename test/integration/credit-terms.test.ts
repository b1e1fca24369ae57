/**
 * Credit terms by marginal analysis (docs/domain.md §6) and customer scoring (docs/domain.md §3) through the
 * HTTP API, in-process against the real PostgreSQL. No worker: these routes
 * never start a workflow (the Temporal client is only what buildApi needs).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Pool } from '../../store/db.js';
import {
  ANALYSIS_BASE,
  CASH_FIGURES,
  CASH_OPTION,
  goodCustomerFacts,
  N30_FIGURES,
  N30_OPTION,
} from '../support/credit-examples.js';
import { type System, systemPerFile } from '../support/system.js';

let pool: Pool;

const system = systemPerFile({ poolSize: 3 }, (s) => {
  ({ pool } = s);
});
const call: System['call'] = (...args) => system.call(...args);

async function counterparty(fields: Record<string, unknown>) {
  const suffix = randomUUID().slice(0, 8);
  const id = `${fields.kind === 'dealer' ? 'D' : 'C'}-${suffix}`;
  const res = await call('POST', '/v1/counterparties', {
    id,
    name: `Counterparty ${suffix}`,
    email: `${suffix}@example.test`,
    region: 'Hangzhou',
    joinedOn: '2024-03-01',
    ...fields,
  });
  expect(res.status).toBe(201);
  return id;
}

/*
 * Fixed cost ¥100,000.00 a year, required return 10 % (1000 bp), price ¥100.00, unit variable cost ¥60.00.
 *
 *                         cash           n/30           n/60
 * volume (units)          10,000         12,000         13,500
 * sales                   100,000,000    120,000,000    135,000,000
 * variable cost            60,000,000     72,000,000     81,000,000
 * fixed cost               10,000,000     10,000,000     10,000,000
 * credit cost                       0        500,000      1,000,000
 * bad debt (0 / 1 / 3 %)            0      1,200,000      4,050,000
 * profit                   30,000,000     36,300,000     38,950,000
 * gain over cash                    0      6,300,000      8,950,000
 * capital tied up                   0      6,875,000     15,333,333   n/30: 30 × 82,500,000 ÷ 360
 *                                                                     n/60: 60 × 92,000,000 ÷ 360 = 15,333,333.33…
 * opportunity cost (10 %)           0        687,500      1,533,333   (1,533,333.33…)
 * net gain                          0      5,612,500      7,416,667   8,950,000 − 1,533,333.33… = 7,416,666.67
 *
 * → n/60 has the highest net gain; limited to 30 days, n/30.
 */
const OPTIONS = [
  CASH_OPTION,
  N30_OPTION,
  {
    label: 'n/60',
    termDays: 60,
    yearlyVolumeUnits: 13_500,
    unitPriceMinor: 10_000,
    unitVariableCostMinor: 6_000,
    creditCostMinor: 1_000_000,
    badDebtRateBp: 300,
  },
];
const ANALYSIS = { options: OPTIONS, ...ANALYSIS_BASE };

describe('credit-term analysis (docs/domain.md §6)', () => {
  it('computes every figure and recommends the highest net gain', async () => {
    const res = await call('POST', '/v1/credit-terms/analysis', ANALYSIS);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      options: [
        CASH_FIGURES,
        N30_FIGURES,
        {
          label: 'n/60',
          termDays: 60,
          salesMinor: 135_000_000,
          variableCostMinor: 81_000_000,
          fixedCostMinor: 10_000_000,
          creditCostMinor: 1_000_000,
          badDebtLossMinor: 4_050_000,
          profitMinor: 38_950_000,
          gainMinor: 8_950_000,
          capitalTiedUpMinor: 15_333_333,
          opportunityCostMinor: 1_533_333,
          netGainMinor: 7_416_667,
          withinMaxTerm: true,
        },
      ],
      recommended: 'n/60',
      recommendedTermDays: 60,
      maxTermDays: null,
    });
  });

  it("limits the recommendation to the term the counterparty's grade or class allows", async () => {
    // A BB dealer: credit term 30 days → n/60 is out of reach, n/30 (5,612,500) is the best left.
    const dealer = await counterparty({ kind: 'dealer', creditGrade: 'BB', creditTermDays: 30 });
    const limited = await call('POST', '/v1/credit-terms/analysis', { ...ANALYSIS, counterpartyId: dealer });
    expect(limited.status).toBe(200);
    expect(limited.body).toMatchObject({ recommended: 'n/30', recommendedTermDays: 30, maxTermDays: 30 });
    const within = (
      limited.body.options as { label: string; withinMaxTerm: boolean; netGainMinor: number }[]
    ).map((o) => [o.label, o.withinMaxTerm, o.netGainMinor]);
    expect(within).toEqual([
      ['cash', true, 0],
      ['n/30', true, 5_612_500],
      ['n/60', false, 7_416_667],
    ]);

    // A class-C customer: the class policy's 30 days apply, not the 60 stored on the customer.
    const classC = await counterparty({ kind: 'customer', customerClass: 'C', creditTermDays: 60 });
    const c = await call('POST', '/v1/credit-terms/analysis', { ...ANALYSIS, counterpartyId: classC });
    expect(c.body).toMatchObject({ recommended: 'n/30', maxTermDays: 30 });

    // Class D trades cash or prepayment only.
    const classD = await counterparty({ kind: 'customer', customerClass: 'D' });
    const d = await call('POST', '/v1/credit-terms/analysis', { ...ANALYSIS, counterpartyId: classD });
    expect(d.body).toMatchObject({ recommended: 'cash', recommendedTermDays: 0, maxTermDays: 0 });

    const unknown = await call('POST', '/v1/credit-terms/analysis', {
      ...ANALYSIS,
      counterpartyId: 'nobody',
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error?.fields?.map((f) => f.path)).toEqual(['counterpartyId']);
  });

  it('refuses a second cash option with a 400 naming the field', async () => {
    const twoCash = [...OPTIONS, { ...OPTIONS[0], label: 'cash again' }];
    const res = await call('POST', '/v1/credit-terms/analysis', { ...ANALYSIS, options: twoCash });
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('validation_failed');
    expect(res.body.error?.fields?.map((f) => f.path)).toEqual(['options.3.termDays']);
    expect(res.body.error?.message).toMatch(/options\.3\.termDays/);

    const noCash = await call('POST', '/v1/credit-terms/analysis', {
      ...ANALYSIS,
      options: OPTIONS.slice(1),
    });
    expect(noCash.status).toBe(400);
    expect(noCash.body.error?.fields?.map((f) => f.path)).toEqual(['options']);

    const fraction = await call('POST', '/v1/credit-terms/analysis', {
      ...ANALYSIS,
      options: [OPTIONS[0], { ...OPTIONS[1], unitPriceMinor: 99.5 }],
    });
    expect(fraction.status).toBe(400);
    expect(fraction.body.error?.fields?.map((f) => f.path)).toEqual(['options.1.unitPriceMinor']);
  });
});

/*
 * The score's factors are creditflow's record and the facts entered with their date and source
 * (docs/scores.md). Default weights and scorers (domain/customer-score.ts), no receivables yet (each
 * behaviour factor missing: 50 points):
 *
 *                        first scoring                    after a revised report of 10
 * current ratio 2.0      100 × 8  =  800                  same
 * debt ratio 40 %        100 × 8  =  800                  same
 * margin 10 %             75 × 7  =  525  (−5 %…15 %)     same
 * cash flow: none         50 × 7  =  350                  same
 * credit report 90        90 × 15 = 1350                   10 × 15 = 150
 * feedback, fulfilment    50 × 10 =  500                  same
 * since 2024-03-01      months × 5 (0…36 months)          same
 * behaviour: none         50 × 37 = 1850                  same
 * industry low           100 × 3  =  300                  same
 *
 * The revised report takes 12 points off: a score-drop (≥ 10), and the class falls.
 */
describe('customer score (docs/domain.md §3, docs/scores.md)', () => {
  it('stores the class and a credit-record event; a falling score raises an early warning', async () => {
    const customer = await counterparty({ kind: 'customer', customerClass: 'B', creditTermDays: 45 });
    const asOf = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10);
    for (const f of goodCustomerFacts(asOf))
      expect((await call('POST', `/v1/customers/${customer}/facts`, f, 'finance')).status).toBe(201);

    const first = await call('POST', `/v1/customers/${customer}/score`, {});
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      previousClass: 'B',
      changed: true,
      earlyWarning: false,
      earlyWarningReasons: [],
      factorScores: {
        currentRatio: 100,
        debtRatio: 100,
        profitability: 75,
        operatingCashFlow: 50,
        creditReport: 90,
        onTimeRate: 50,
        industryRisk: 100,
      },
    });
    const firstScore = first.body.score as number;
    expect(['A', 'B']).toContain(first.body.customerClass);
    const afterFirst = await call('GET', `/v1/counterparties/${customer}`);
    expect(afterFirst.body.customerClass).toBe(first.body.customerClass);

    const revised = {
      factor: 'creditReportScore',
      value: 10,
      asOf: addDaysIso(asOf, 10),
      document: 'revised',
    };
    expect((await call('POST', `/v1/customers/${customer}/facts`, revised, 'finance')).status).toBe(201);
    const second = await call('POST', `/v1/customers/${customer}/score`, { note: 'credit report revised' });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({
      score: firstScore - 12,
      previousClass: first.body.customerClass,
      earlyWarning: true,
      earlyWarningReasons: expect.arrayContaining(['score-drop']),
    });

    const profile = await call('GET', `/v1/counterparties/${customer}`);
    expect(profile.body.customerClass).toBe(second.body.customerClass);
    const events = (profile.body.history as { eventType: string; payload: Record<string, unknown> }[]).filter(
      (e) => e.eventType === 'class-set-by-score',
    );
    expect(events.map((e) => e.payload)).toEqual([
      expect.objectContaining({
        score: firstScore,
        previousClass: 'B',
        customerClass: first.body.customerClass,
        reason: expect.stringContaining(`weighted score ${firstScore} → class ${first.body.customerClass}`),
      }),
      expect.objectContaining({
        score: firstScore - 12,
        previousClass: first.body.customerClass,
        customerClass: second.body.customerClass,
        reason: expect.stringContaining('credit report revised'),
      }),
    ]);

    const history = await pool.query(
      'SELECT score, class FROM customer_scores WHERE counterparty_id = $1 ORDER BY id',
      [customer],
    );
    expect(history.rows).toEqual([
      { score: firstScore, class: first.body.customerClass },
      { score: firstScore - 12, class: second.body.customerClass },
    ]);
  });

  it('refuses a dealer (422 naming id), an unknown id (404) and behaviour in the body (400)', async () => {
    const dealer = await counterparty({ kind: 'dealer', creditGrade: 'AA', creditTermDays: 60 });
    const res = await call('POST', `/v1/customers/${dealer}/score`, {});
    expect(res.status).toBe(422);
    expect(res.body.error?.fields?.map((f) => f.path)).toEqual(['id']);
    const profile = await call('GET', `/v1/counterparties/${dealer}`);
    expect(profile.body).toMatchObject({ creditGrade: 'AA', customerClass: null });
    expect(
      (await pool.query('SELECT 1 FROM customer_scores WHERE counterparty_id = $1', [dealer])).rowCount,
    ).toBe(0);

    expect((await call('POST', '/v1/customers/nobody/score', {})).status).toBe(404);

    const bad = await call('POST', `/v1/customers/${dealer}/score`, { onTimeRateBp: 10_000 });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.fields?.map((f) => f.path)).toEqual(['onTimeRateBp']);
  });
});

function addDaysIso(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
