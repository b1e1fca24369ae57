/** Which fields an upsert may change, and which only their process may. */
import { describe, expect, it } from 'vitest';
import { CounterpartyBody, SalespersonBody } from '../../api/routes/counterparties.js';
import { Minor } from '../../api/schemas.js';
import {
  type CounterpartyProfile,
  counterpartyOverride,
  counterpartyUpsert,
  salespersonUpsert,
} from '../../domain/credit-facts.js';

const dealer: CounterpartyProfile = {
  kind: 'dealer',
  name: '华东经销商',
  email: 'd@dealer.test',
  language: 'zh-CN',
  region: 'Hangzhou',
  contactName: null,
  joinedOn: '2024-03-01',
  creditGrade: 'CC',
  customerClass: null,
  creditLimitMinor: 100_000,
  creditTermDays: 15,
};

describe('an upsert of an existing counterparty', () => {
  it('is refused when it gives another grade, naming creditGrade and where a grade changes', () => {
    const out = counterpartyUpsert('D1', dealer, { ...dealer, creditGrade: 'AA' });
    expect(out).toEqual({
      refused: {
        field: 'creditGrade',
        message: expect.stringMatching(
          /^D1 has creditGrade CC \(this says AA\): .*quarterly rating.*credit-overrides/,
        ),
      },
    });
  });

  it('is refused for a limit, a term, a class, a cleared grade, and a change of kind', () => {
    const field = (incoming: Partial<CounterpartyProfile>) => {
      const out = counterpartyUpsert('D1', dealer, { ...dealer, ...incoming });
      return 'refused' in out ? out.refused.field : null;
    };
    expect(field({ creditLimitMinor: 9_007_199_254_740_991 })).toBe('creditLimitMinor');
    expect(field({ creditTermDays: 60 })).toBe('creditTermDays');
    expect(field({ creditGrade: null })).toBe('creditGrade');
    expect(field({ kind: 'customer', creditGrade: undefined })).toBe('kind');
    const customer = { ...dealer, kind: 'customer' as const, creditGrade: null, customerClass: 'C' };
    const out = counterpartyUpsert('C1', customer, { ...customer, customerClass: 'A' });
    expect('refused' in out && out.refused).toMatchObject({
      field: 'customerClass',
      message: expect.stringContaining('/v1/customers/C1/score'),
    });
  });

  it('leaves credit facts that are left out or the same as they are, and changes only the details', () => {
    const { creditGrade, creditLimitMinor, creditTermDays, customerClass, ...details } = dealer;
    expect(counterpartyUpsert('D1', dealer, { ...details, region: 'Ningbo' })).toEqual({
      change: { before: { region: 'Hangzhou' }, after: { region: 'Ningbo' } },
    });
    expect(counterpartyUpsert('D1', dealer, { ...dealer })).toEqual({ change: { before: {}, after: {} } });
  });
});

describe('a salesperson upsert', () => {
  const person = {
    name: 'Wang',
    email: 'w@acme.test',
    region: 'Shanghai',
    phone: null,
    creditLimitMinor: 500,
  };
  it('never changes the limit: that is a proposal a manager approves', () => {
    const out = salespersonUpsert('S1', person, { ...person, creditLimitMinor: 900 });
    expect('refused' in out && out.refused).toMatchObject({
      field: 'creditLimitMinor',
      message: expect.stringContaining('POST /v1/salespeople/S1/limit-proposals'),
    });
    // Setting a first limit on someone created without one is a proposal too.
    expect(salespersonUpsert('S1', { ...person, creditLimitMinor: null }, person)).toMatchObject({
      refused: { field: 'creditLimitMinor' },
    });
  });
  it('changes the details, with the limit left out or the same', () => {
    const { creditLimitMinor, ...rest } = person;
    expect(salespersonUpsert('S1', person, { ...rest, phone: '123' })).toEqual({
      change: { before: { phone: null }, after: { phone: '123' } },
    });
    expect(salespersonUpsert('S1', person, person)).toEqual({ change: { before: {}, after: {} } });
  });
});

describe("a manager's override", () => {
  it('sets the facts it names that differ, before and after', () => {
    expect(counterpartyOverride('D1', dealer, { creditGrade: 'BB', creditTermDays: 15 })).toEqual({
      change: { before: { creditGrade: 'CC' }, after: { creditGrade: 'BB' } },
    });
  });
  it('gives no class to a dealer and no grade to a customer', () => {
    expect(counterpartyOverride('D1', dealer, { customerClass: 'A' })).toMatchObject({
      refused: { field: 'customerClass' },
    });
    const customer = { ...dealer, kind: 'customer' as const, creditGrade: null, customerClass: 'C' };
    expect(counterpartyOverride('C1', customer, { creditGrade: 'AA' })).toMatchObject({
      refused: { field: 'creditGrade' },
    });
  });
});

describe('the largest limit', () => {
  it('is the largest single amount the API takes: a limit above it is refused, for counterparties and salespeople', () => {
    const largest = Minor.maxValue as number;
    const body = {
      id: 'D1',
      name: 'n',
      kind: 'dealer',
      email: 'd@x.test',
      region: 'r',
      joinedOn: '2024-01-01',
    };
    expect(CounterpartyBody.safeParse({ ...body, creditLimitMinor: largest }).success).toBe(true);
    const over = CounterpartyBody.safeParse({ ...body, creditLimitMinor: largest + 1 });
    expect(over.success).toBe(false);
    expect(over.error?.issues[0]?.path).toEqual(['creditLimitMinor']);
    const person = { id: 'S1', name: 'n', email: 's@x.test', region: 'r' };
    expect(SalespersonBody.safeParse({ ...person, creditLimitMinor: largest }).success).toBe(true);
    expect(SalespersonBody.safeParse({ ...person, creditLimitMinor: largest + 1 }).success).toBe(false);
  });
});
