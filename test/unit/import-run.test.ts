/** The import runner: bounded concurrency, the report in file order, one id at a time, failures. */
import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../api/imports/records.js';
import { ROW_SPECS, type RowOutcome, rejected } from '../../api/imports/rows.js';
import { runImport } from '../../api/imports/run.js';
import type { ReportRow } from '../../store/imports.js';

const payment = (n: number, id = `P-${n}`) => ({
  row: n,
  value: { paymentId: id, receivableId: `R-${n}`, amountMinor: n, paidOn: '2026-01-01' },
});

async function* records(list: SourceRecord[]) {
  for (const r of list) yield r;
}

function store() {
  const batches: ReportRow[][] = [];
  return {
    batches,
    rows: () => batches.flat(),
    recordRows: async (_id: string, rows: readonly ReportRow[]) => {
      batches.push([...rows]);
    },
  };
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runImport', () => {
  it('keeps at most `concurrency` rows in flight and reports in file order', async () => {
    const s = store();
    let inFlight = 0;
    let most = 0;
    await runImport({
      importId: 'i',
      records: records(Array.from({ length: 40 }, (_, i) => payment(i + 1))),
      spec: ROW_SPECS.payments,
      concurrency: 4,
      batchRows: 7,
      store: s,
      apply: async (p): Promise<RowOutcome> => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await tick((p.amountMinor * 7) % 5); // later rows often finish first
        inFlight -= 1;
        return { outcome: 'created' };
      },
    });
    expect(most).toBe(4);
    expect(s.rows().map((r) => r.row)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(Math.max(...s.batches.map((b) => b.length))).toBeLessThanOrEqual(7);
  });

  it('a NUL in any field rejects the row before validation; the report holds none of it (found by the fuzzer)', async () => {
    const s = store();
    const applied: string[] = [];
    await runImport({
      importId: 'i',
      records: records([payment(1, 'a\u0000b'), payment(2)]),
      spec: ROW_SPECS.payments,
      store: s,
      apply: async (p): Promise<RowOutcome> => {
        applied.push(p.paymentId);
        return { outcome: 'created' };
      },
    });
    expect(applied).toEqual(['P-2']);
    expect(s.rows()[0]).toEqual({
      row: 1,
      externalId: null,
      outcome: 'rejected',
      field: 'paymentId',
      message: 'paymentId: contains a NUL character or an unpaired surrogate',
    });
  });

  it('rows with the same id apply one after the other, in file order', async () => {
    const s = store();
    const order: number[] = [];
    await runImport({
      importId: 'i',
      records: records([payment(1, 'P-X'), payment(2, 'P-Y'), payment(3, 'P-X')]),
      spec: ROW_SPECS.payments,
      store: s,
      apply: async (p) => {
        if (p.amountMinor === 1) await tick(20);
        order.push(p.amountMinor);
        return { outcome: order.filter((n) => n === 1 || n === 3).length > 1 ? 'unchanged' : 'created' };
      },
    });
    expect(order.indexOf(1)).toBeLessThan(order.indexOf(3));
    expect(s.rows().map((r) => [r.externalId, r.outcome])).toEqual([
      ['P-X', 'created'],
      ['P-Y', 'created'],
      ['P-X', 'unchanged'],
    ]);
  });

  it("a receivable's payments apply in file order; other receivables' meanwhile", async () => {
    const s = store();
    const log: string[] = [];
    const pay = (row: number, receivableId: string, ms: number) => ({
      row,
      value: { paymentId: `P-${row}`, receivableId, amountMinor: ms, paidOn: '2026-01-01' },
    });
    await runImport({
      importId: 'i',
      records: records([pay(1, 'R-1', 30), pay(2, 'R-2', 1), pay(3, 'R-1', 1)]),
      spec: ROW_SPECS.payments,
      store: s,
      apply: async (p) => {
        log.push(`start ${p.paymentId}`);
        await tick(p.amountMinor);
        log.push(`end ${p.paymentId}`);
        return { outcome: 'created' };
      },
    });
    expect(log.indexOf('end P-2')).toBeLessThan(log.indexOf('end P-1'));
    expect(log.indexOf('end P-1')).toBeLessThan(log.indexOf('start P-3'));
  });

  it('unreadable and invalid records are rejected naming the field; refusals carry their reason', async () => {
    const s = store();
    await runImport({
      importId: 'i',
      records: records([
        { row: 1, error: 'not valid JSON: Unexpected token' },
        { row: 2, value: { paymentId: 'P-2', receivableId: 'R-1', amountMinor: -5, paidOn: '2026-01-01' } },
        payment(3),
      ]),
      spec: ROW_SPECS.payments,
      store: s,
      apply: async () => rejected('amountMinor', 'amountMinor: exceeds the 0 that settles this receivable'),
    });
    expect(s.rows()).toEqual([
      {
        row: 1,
        externalId: null,
        outcome: 'rejected',
        field: null,
        message: 'not valid JSON: Unexpected token',
      },
      {
        row: 2,
        externalId: 'P-2',
        outcome: 'rejected',
        field: 'amountMinor',
        message: 'amountMinor: Too small: expected number to be >0',
      },
      {
        row: 3,
        externalId: 'P-3',
        outcome: 'rejected',
        field: 'amountMinor',
        message: 'amountMinor: exceeds the 0 that settles this receivable',
      },
    ]);
  });

  it('records every finished row while the upload pauses, not only when the next record arrives', async () => {
    const s = store();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    async function* paused() {
      for (let i = 1; i <= 5; i++) yield payment(i);
      await gate;
      yield payment(6);
    }
    const run = runImport({
      importId: 'i',
      records: paused(),
      spec: ROW_SPECS.payments,
      concurrency: 16,
      batchMs: 10,
      store: s,
      apply: async () => ({ outcome: 'created' }),
    });
    const deadline = Date.now() + 2_000;
    while (s.rows().length < 5 && Date.now() < deadline) await tick(5);
    expect(s.rows().map((r) => r.row)).toEqual([1, 2, 3, 4, 5]);
    release();
    await run;
    expect(s.rows().map((r) => r.row)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('an unexpected failure stops reading, records the rows that finished, and is thrown', async () => {
    const s = store();
    let read = 0;
    async function* many() {
      for (let i = 1; i <= 1000; i++) {
        read += 1;
        yield payment(i);
      }
    }
    const run = runImport({
      importId: 'i',
      records: many(),
      spec: ROW_SPECS.payments,
      concurrency: 4,
      store: s,
      apply: async (p) => {
        if (p.amountMinor === 10) throw new Error('the workflow service is unavailable');
        return { outcome: 'created' };
      },
    });
    await expect(run).rejects.toThrow('unavailable');
    expect(read).toBeLessThan(20);
    expect(s.rows().map((r) => r.row)).toEqual(
      Array.from({ length: read }, (_, i) => i + 1).filter((n) => n !== 10),
    );
  });

  it('a failure of the source (a broken upload) is thrown after the rows before it are recorded', async () => {
    const s = store();
    async function* broken() {
      yield payment(1);
      yield payment(2);
      throw new Error('the upload ended before the body was complete');
    }
    await expect(
      runImport({
        importId: 'i',
        records: broken(),
        spec: ROW_SPECS.payments,
        store: s,
        apply: async () => ({ outcome: 'created' }),
      }),
    ).rejects.toThrow('upload ended');
    expect(s.rows().map((r) => r.row)).toEqual([1, 2]);
  });
});
