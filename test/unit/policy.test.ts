/** The policy document: defaults validate, overrides merge, bad fields are named. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { PolicyError, resolvePolicy } from '../../infra/policy.js';

function fieldsOf(override: unknown): string[] {
  try {
    resolvePolicy(override);
  } catch (err) {
    if (err instanceof PolicyError) return [...new Set(err.fields.map((f) => f.path))];
    throw err;
  }
  return [];
}

describe('credit policy document', () => {
  it('the repository defaults are a valid policy', () => {
    expect(resolvePolicy(undefined)).toEqual(DEFAULT_POLICY);
  });

  it('an override changes only what it names', () => {
    const p = resolvePolicy({
      version: 'acme-2027.1',
      receivable: { cashDiscount: { rateBp: 200 }, businessHour: 10 },
    });
    expect(p.version).toBe('acme-2027.1');
    expect(p.receivable.cashDiscount).toEqual({ rateBp: 200, days: 10 });
    expect(p.receivable.businessHour).toBe(10);
    expect(p.receivable.timeline).toEqual(DEFAULT_POLICY.receivable.timeline);
    expect(p.rating.creditSalesRatioBp.AA).toBe(DEFAULT_POLICY.rating.creditSalesRatioBp.AA);
  });

  it('names every bad field', () => {
    expect(fieldsOf({ receivable: { businessHour: 24 } })).toEqual(['receivable.businessHour']);
    expect(fieldsOf({ timeZone: 'Mars/Olympus' })).toEqual(['timeZone']);
    expect(fieldsOf({ rating: { creditSalesRatioBp: { AA: 10_001 } } })).toEqual([
      'rating.creditSalesRatioBp.AA',
    ]);
    expect(fieldsOf({ receivable: { timeline: { warningDays: 40 } } })).toEqual(['receivable.timeline']);
    expect(fieldsOf({ receivable: { legal: { litigationMinor: -1 } } })).toEqual([
      'receivable.legal.litigationMinor',
    ]);
    expect(
      fieldsOf({ customer: { weights: { ...DEFAULT_POLICY.customer.weights, creditReport: 21 } } }),
    ).toEqual(['customer.weights']);
    expect(fieldsOf([1, 2])).toEqual(['']);
    // A company's own indicator list must keep the rule's shape: 12 performance indicators, the 12th customers lost.
    const eleven = DEFAULT_POLICY.rating.performanceIndicators.slice(0, 11);
    expect(fieldsOf({ rating: { performanceIndicators: eleven } })).toEqual(['rating.performanceIndicators']);
    expect(
      fieldsOf({ customer: { scorer: { ...DEFAULT_POLICY.customer.scorer, missingDataScore: 101 } } }),
    ).toEqual(['customer.scorer.missingDataScore']);
  });

  it('salesperson settings: defaults from the assessment module, overrides validated field by field', () => {
    const p = resolvePolicy({ salesperson: { limitWarningBp: 7500 } });
    expect(p.salesperson.limitWarningBp).toBe(7500);
    expect(p.salesperson.rateTable).toEqual(DEFAULT_POLICY.salesperson.rateTable);
    expect(DEFAULT_POLICY.salesperson.limitWarningBp).toBe(8000);
    expect(fieldsOf({ salesperson: { limitWarningBp: 0 } })).toEqual(['salesperson.limitWarningBp']);
    expect(
      fieldsOf({
        salesperson: { creditWeights: { ...DEFAULT_POLICY.salesperson.creditWeights, sales: 31 } },
      }),
    ).toEqual(['salesperson.creditWeights']);
    expect(
      fieldsOf({
        salesperson: {
          rateTable: {
            ...DEFAULT_POLICY.salesperson.rateTable,
            collectionRatioBp: [
              { min: 0, max: 7000, rateBp: -50 },
              { min: 6000, max: null, rateBp: 0 },
            ],
          },
        },
      }),
    ).toEqual(['salesperson.rateTable']);
    expect(fieldsOf({ salesperson: { baselines: { receivablesShareBp: 'x' } } })).toEqual([
      'salesperson.baselines.receivablesShareBp',
    ]);
  });
});
