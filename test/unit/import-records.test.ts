/** Reading an upload record by record: CSV, NDJSON and JSON arrays, split anywhere. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ImportFileError, readRecords, type SourceRecord } from '../../api/imports/records.js';
import { ROW_SPECS } from '../../api/imports/rows.js';
import type { ImportFormat } from '../../domain/imports.js';

/** The text as a stream of chunks of `size` bytes, cutting through characters and records. */
const chunked = (text: string, size: number) => {
  const bytes = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
};

async function read(text: string, format: ImportFormat, size = 7, max?: number): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of readRecords(chunked(text, size), format, ROW_SPECS.payments, max)) out.push(r);
  return out;
}

describe('CSV', () => {
  it('the header names the columns; empty cells are absent; quoted commas and newlines survive', async () => {
    const csv =
      '\uFEFFpaymentId,receivableId,amountMinor,paidOn\r\n' +
      'P-1,R-1,1000,\r\n' +
      '\r\n' +
      '"P-2, 财务\n部",R-1,250,2026-01-07\n';
    for (const size of [1, 3, 1000])
      expect(await read(csv, 'csv', size)).toEqual([
        { row: 1, value: { paymentId: 'P-1', receivableId: 'R-1', amountMinor: 1000 } },
        {
          row: 2,
          value: {
            paymentId: 'P-2, 财务\n部',
            receivableId: 'R-1',
            amountMinor: 250,
            paidOn: '2026-01-07',
          },
        },
      ]);
  });

  it('a record with too few or too many cells is one bad row, not a failed file', async () => {
    const rows = await read(
      'paymentId,receivableId,amountMinor,paidOn\nP-1,R-1\nP-2,R-1,5,2026-01-01\n',
      'csv',
    );
    expect(rows).toEqual([
      { row: 1, error: 'the record has 2 cells, the header has 4' },
      { row: 2, value: { paymentId: 'P-2', receivableId: 'R-1', amountMinor: 5, paidOn: '2026-01-01' } },
    ]);
  });

  it('a header that does not fit the kind fails the file at once, naming the columns', async () => {
    const err = await read('paymentId,receivable,amountMinor,paidOn\nP-1,R-1,5,2026-01-01\n', 'csv').catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ImportFileError);
    expect(err.fields.map((f: { path: string }) => f.path)).toEqual([
      'header.receivable',
      'header.receivableId',
    ]);
  });

  it('an empty file and an unclosed quote fail the file', async () => {
    await expect(read('', 'csv')).rejects.toThrow(/empty/);
    await expect(
      read('paymentId,receivableId,amountMinor,paidOn\nP-1,R-1,5,2026-01-01\n"P-2,R-1,5,2026-01-01\n', 'csv'),
    ).rejects.toThrow(/cannot be read on: Quote Not Closed.* line 3/);
  });
});

describe('NDJSON', () => {
  it('one record per line, blank lines skipped, a bad line is a bad row', async () => {
    const text = '{"paymentId":"P-1","n":"é"}\r\n\n  \n{"paymentId": oops}\n{"paymentId":"P-3"}';
    for (const size of [1, 2, 5, 100]) {
      const rows = await read(text, 'ndjson', size);
      expect(rows[0]).toEqual({ row: 1, value: { paymentId: 'P-1', n: 'é' } });
      expect(rows[1]?.row).toBe(2);
      expect(rows[1] && 'error' in rows[1] && rows[1].error).toMatch(/^not valid JSON/);
      expect(rows[2]).toEqual({ row: 3, value: { paymentId: 'P-3' } });
    }
  });

  it('a line longer than the record limit fails the file rather than filling memory', async () => {
    await expect(read(`{"a":"${'x'.repeat(100)}"}\n`, 'ndjson', 7, 50)).rejects.toThrow(/longer than 50/);
  });
});

describe('JSON array', () => {
  it('each element as it arrives, with strings holding brackets, quotes and escapes', async () => {
    const text = ` [ {"paymentId":"P-]1","note":"a \\"}\\" b","n":{"x":[1,{"y":2}]}},\n{"paymentId":"P-2"} ,42, "s" ] `;
    for (const size of [1, 3, 1000])
      expect(await read(text, 'json', size)).toEqual([
        { row: 1, value: { paymentId: 'P-]1', note: 'a "}" b', n: { x: [1, { y: 2 }] } } },
        { row: 2, value: { paymentId: 'P-2' } },
        { row: 3, value: 42 },
        { row: 4, value: 's' },
      ]);
  });

  it('a malformed element is a bad row; the next one is read', async () => {
    const rows = await read('[{"paymentId": tru},{"paymentId":"P-2"}]', 'json');
    expect(rows[0] && 'error' in rows[0]).toBe(true);
    expect(rows[1]).toEqual({ row: 2, value: { paymentId: 'P-2' } });
  });

  it('not an array, an unclosed array, or text after it fails the file', async () => {
    await expect(read('{"paymentId":"P-1"}', 'json')).rejects.toThrow(/must start with \[/);
    await expect(read('[{"paymentId":"P-1"},', 'json')).rejects.toThrow(/not closed/);
    await expect(read('[] x', 'json')).rejects.toThrow(/after the closing/);
    await expect(read('', 'json')).rejects.toThrow(/empty/);
    expect(await read('[]', 'json')).toEqual([]);
  });

  it('an element longer than the record limit fails the file', async () => {
    await expect(read(`[{"a":"${'x'.repeat(100)}"}]`, 'json', 7, 50)).rejects.toThrow(/longer than 50/);
  });
});
