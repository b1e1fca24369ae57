/** Import records: the row schemas, CSV columns and cells, and how problems are reported. */
import { describe, expect, it } from 'vitest';
import {
  CounterpartyRow,
  describeIssues,
  externalIdOf,
  fromCsv,
  headerProblems,
  importedReceivableDifference,
  ROW_SPECS,
} from '../../api/imports/rows.js';

const dealer = {
  id: 'D-1',
  name: '华东经销商',
  kind: 'dealer',
  email: 'd1@dealer.test',
  region: 'Hangzhou',
  creditGrade: 'AA',
  creditLimitMinor: 10_000_000,
  creditTermDays: 60,
  joinedOn: '2025-01-10',
};
const invoice = {
  receivableId: 'INV-1',
  counterpartyId: 'D-1',
  salespersonId: 'S-1',
  amountMinor: 500_000,
  issueDate: '2026-01-05',
  dueDate: '2026-02-04',
};

const problems = (kind: keyof typeof ROW_SPECS, value: unknown) => {
  const r = ROW_SPECS[kind].schema.safeParse(value);
  return r.success ? null : describeIssues(r.error.issues);
};

describe('row schemas', () => {
  it('a counterparty row takes what POST /v1/counterparties takes, with its defaults', () => {
    const r = ROW_SPECS.counterparties.schema.safeParse(dealer);
    expect(r.success && r.data).toMatchObject({ language: 'zh-CN', contactName: null });
    // A credit fact left out stays left out: for an existing counterparty it means "as it is".
    expect(r.success && 'customerClass' in r.data).toBe(false);
  });

  it('names the field: an unknown one, a bad e-mail, a dealer with a customer class', () => {
    expect(problems('counterparties', { ...dealer, colour: 'red' })).toEqual({
      field: 'colour',
      message: 'colour: unknown field',
    });
    expect(problems('counterparties', { ...dealer, email: 'nope' })?.field).toBe('email');
    expect(problems('counterparties', { ...dealer, customerClass: 'A' })).toEqual({
      field: 'customerClass',
      message: 'customerClass: dealers carry a nine-grade rating, not a class',
    });
  });

  it('every problem of a row is in its message, the first names the field', () => {
    const p = problems('counterparties', { ...dealer, email: 'nope', creditLimitMinor: -1 });
    expect(p?.field).toBe('email');
    expect(p?.message).toMatch(/^email: .+; creditLimitMinor: .+/);
  });

  it('a receivable: paid before import defaults to 0; due before issue and paid ≥ amount are refused', () => {
    const ok = ROW_SPECS.receivables.schema.safeParse(invoice);
    expect(ok.success && ok.data).toMatchObject({ paidMinor: 0 });
    expect(problems('receivables', { ...invoice, dueDate: '2026-01-04' })).toEqual({
      field: 'dueDate',
      message: 'dueDate: 2026-01-04 is before the issue date 2026-01-05',
    });
    expect(problems('receivables', { ...invoice, paidMinor: 500_000 })?.field).toBe('paidMinor');
    expect(problems('receivables', { ...invoice, amountMinor: 12.5 })?.message).toBe(
      'amountMinor: must be an integer count of minor units',
    );
    expect(problems('receivables', { ...invoice, issueDate: '2026-02-30' })?.field).toBe('issueDate');
  });

  it('invalid dates are not compared: the message never repeats what was sent (found by the fuzzer)', () => {
    const p = problems('receivables', { ...invoice, issueDate: ' ', dueDate: '\u0000' });
    expect(p?.message).toBe(
      'issueDate: must be a calendar date YYYY-MM-DD; dueDate: must be a calendar date YYYY-MM-DD',
    );
  });

  it('a payment needs its id, receivable, positive amount and date', () => {
    expect(
      ROW_SPECS.payments.schema.safeParse({
        paymentId: 'P-1',
        receivableId: 'INV-1',
        amountMinor: 1,
        paidOn: '2026-01-06',
      }).success,
    ).toBe(true);
    expect(
      problems('payments', { paymentId: 'P-1', receivableId: 'INV-1', amountMinor: 0, paidOn: '2026-01-06' })
        ?.field,
    ).toBe('amountMinor');
    expect(problems('payments', 'P-1,INV-1')?.message).toMatch(/expected object/);
  });
});

describe('CSV', () => {
  it('columns come from the schemas, numeric ones known', () => {
    expect(ROW_SPECS.counterparties.columns).toEqual(Object.keys(CounterpartyRow.shape));
    expect(ROW_SPECS.counterparties.requiredColumns).toEqual([
      'id',
      'name',
      'kind',
      'email',
      'region',
      'joinedOn',
    ]);
    expect(ROW_SPECS.counterparties.numericColumns).toEqual(['creditLimitMinor', 'creditTermDays']);
    expect(ROW_SPECS.receivables.numericColumns).toEqual(['amountMinor', 'paidMinor']);
    expect(ROW_SPECS.payments.numericColumns).toEqual(['amountMinor']);
  });

  it('an empty cell is an absent field; digits in a numeric column are a number, other text stays text', () => {
    const numeric = ROW_SPECS.counterparties.numericColumns;
    expect(
      fromCsv({ id: '007', contactName: '', creditLimitMinor: '1000', creditTermDays: '1,000' }, numeric),
    ).toEqual({ id: '007', creditLimitMinor: 1000, creditTermDays: '1,000' });
    const row = fromCsv({ ...dealer, creditLimitMinor: '12.5', creditTermDays: '' } as never, numeric);
    expect(problems('counterparties', row)).toEqual({
      field: 'creditLimitMinor',
      message: 'creditLimitMinor: must be an integer count of minor units',
    });
    expect(
      problems('counterparties', fromCsv({ ...dealer, creditTermDays: 'sixty' } as never, numeric))?.field,
    ).toBe('creditTermDays');
  });

  it('a header with an unknown, doubled or missing column is named column by column', () => {
    expect(
      headerProblems(['id', 'name', 'kind', 'email', 'region', 'joinedOn'], ROW_SPECS.counterparties),
    ).toEqual([]);
    expect(
      headerProblems(
        ['id', 'name', 'name', 'kind', 'email', 'joinedOn', 'colour'],
        ROW_SPECS.counterparties,
      ).map((p) => `${p.path}: ${p.message.split(';')[0]}`),
    ).toEqual([
      'header.name: column appears twice',
      'header.colour: unknown column',
      'header.region: required column missing',
    ]);
  });
});

describe('external ids and re-imports', () => {
  it('a row names its external id even when it is invalid', () => {
    expect(externalIdOf({ id: 'D-9', email: 'x' }, 'id')).toBe('D-9');
    expect(externalIdOf({ paymentId: 42 }, 'paymentId')).toBe('42');
    expect(externalIdOf('not an object', 'id')).toBeNull();
  });

  it('an invoice imported again must agree on what identifies it; the due date may have moved', () => {
    const parsed = ROW_SPECS.receivables.schema.parse(invoice);
    const existing = {
      counterpartyId: 'D-1',
      salespersonId: 'S-1',
      amountMinor: 500_000,
      currency: 'CNY',
      issueDate: '2026-01-05',
    };
    expect(importedReceivableDifference(existing, parsed, 'CNY')).toBeNull();
    expect(importedReceivableDifference(existing, { ...parsed, dueDate: '2026-03-01' }, 'CNY')).toBeNull();
    expect(importedReceivableDifference({ ...existing, issueDate: null }, parsed, 'CNY')).toBeNull();
    expect(importedReceivableDifference(existing, { ...parsed, amountMinor: 600_000 }, 'CNY')).toEqual({
      field: 'amountMinor',
      message:
        'receivable INV-1 already exists with amountMinor 500000 (this row says 600000); an import does not change a receivable',
    });
    expect(importedReceivableDifference(existing, parsed, 'USD')?.field).toBe('currency');
  });
});
