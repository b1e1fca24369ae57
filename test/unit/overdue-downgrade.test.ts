/**
 * The +15 downgrade (domain/credit-facts.ts overdueDowngrade, domain/customer-class.ts
 * lowerClassOneStep), tested directly: a dealer's grade or a customer's class one step worse.
 */
import { describe, expect, it } from 'vitest';
import { overdueDowngrade } from '../../domain/credit-facts.js';
import { lowerClassOneStep } from '../../domain/customer-class.js';

describe('the customer-class downgrade', () => {
  it('lowers A→B→C→D; D stays D', () => {
    expect(['A', 'B', 'C', 'D'].map(lowerClassOneStep)).toEqual(['B', 'C', 'D', 'D']);
  });

  it('a customer without a class (or an unknown one) has none to lower', () => {
    expect(lowerClassOneStep(null)).toBeNull();
    expect(lowerClassOneStep('E')).toBeNull();
  });
});

describe('overdueDowngrade', () => {
  it("lowers a dealer's grade one step in the ranking; CC stays CC", () => {
    expect(overdueDowngrade({ kind: 'dealer', creditGrade: 'AA', customerClass: null })).toEqual({
      field: 'creditGrade',
      before: 'AA',
      after: 'AB',
    });
    expect(overdueDowngrade({ kind: 'dealer', creditGrade: 'CC', customerClass: null }).after).toBe('CC');
  });

  it('an ungraded dealer has nothing to lower', () => {
    expect(overdueDowngrade({ kind: 'dealer', creditGrade: null, customerClass: null })).toEqual({
      field: 'creditGrade',
      before: null,
      after: null,
    });
  });

  it("lowers a customer's class, never touching a grade", () => {
    expect(overdueDowngrade({ kind: 'customer', creditGrade: null, customerClass: 'B' })).toEqual({
      field: 'customerClass',
      before: 'B',
      after: 'C',
    });
  });
});
