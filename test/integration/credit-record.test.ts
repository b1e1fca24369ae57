/**
 * The tamper-evident credit record: appended records chain by hash; an edit made
 * behind the application's back (plain SQL) is found at exactly that record.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCreditRecordQueries, recordHash } from '../../store/credit-record.js';
import { createPool, inTransaction, type Pool } from '../../store/db.js';

let pool: Pool;
beforeAll(() => {
  pool = createPool(inject('databaseUrl'), 8);
});
afterAll(async () => {
  await pool?.end();
});

async function appendThree(subjectId: string) {
  const records = createCreditRecordQueries(pool);
  for (const n of [1, 2, 3]) {
    await inTransaction(pool, (client) =>
      records.append(client, {
        subjectType: 'counterparty',
        subjectId,
        eventType: `event-${n}`,
        payload: { n, amountMinor: n * 100 },
        source: 'test',
        idempotencyKey: `${subjectId}:${n}`,
      }),
    );
  }
  return records;
}

describe('tamper-evident credit record', () => {
  it('refuses UPDATE and DELETE through the append-only trigger', async () => {
    const subject = `T-${randomUUID().slice(0, 8)}`;
    await appendThree(subject);
    await expect(
      pool.query(`UPDATE credit_records SET payload = '{}' WHERE subject_id = $1`, [subject]),
    ).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM credit_records WHERE subject_id = $1', [subject])).rejects.toThrow(
      /append-only/,
    );
  });

  it('verification names exactly the record edited with SQL', async () => {
    const subject = `T-${randomUUID().slice(0, 8)}`;
    const records = await appendThree(subject);
    expect(await records.verify()).toMatchObject({ ok: true });
    const rows = await records.listForSubject('counterparty', subject);
    const target = rows[1];
    if (!target) throw new Error('no record');
    const client = await pool.connect();
    try {
      // Someone with table-owner rights bypasses the trigger and changes an amount.
      await client.query('BEGIN');
      await client.query('ALTER TABLE credit_records DISABLE TRIGGER credit_records_no_update');
      await client.query(
        `UPDATE credit_records SET payload = jsonb_set(payload, '{amountMinor}', '999') WHERE seq = $1`,
        [target.seq],
      );
      await client.query('ALTER TABLE credit_records ENABLE TRIGGER credit_records_no_update');
      await client.query('COMMIT');
      const broken = await records.verify();
      expect(broken).toMatchObject({
        ok: false,
        brokenAt: target.seq,
        why: 'content does not match its hash',
      });
    } finally {
      // Put the record back so the shared test database stays verifiable.
      await client.query('BEGIN');
      await client.query('ALTER TABLE credit_records DISABLE TRIGGER credit_records_no_update');
      await client.query('UPDATE credit_records SET payload = $2 WHERE seq = $1', [
        target.seq,
        JSON.stringify(target.payload),
      ]);
      await client.query('ALTER TABLE credit_records ENABLE TRIGGER credit_records_no_update');
      await client.query('COMMIT');
      client.release();
    }
    expect(await records.verify()).toMatchObject({ ok: true });
  });
  it('appends a batch in its order, skipping keys already recorded or repeated, hashed as verification recomputes', async () => {
    const subject = `华东-${randomUUID().slice(0, 8)}`;
    const records = createCreditRecordQueries(pool);
    const record = (n: number) => ({
      subjectType: 'counterparty' as const,
      subjectId: subject,
      eventType: `event-${n}`,
      payload: { n, note: `第${n}次 "引号" \\ 🙂`, nested: { b: n, a: [n, null] } },
      source: 'test',
      idempotencyKey: `${subject}:${n}`,
    });
    expect(await inTransaction(pool, (c) => records.append(c, record(1)))).toBe(true);
    const added = await inTransaction(pool, (c) =>
      records.appendMany(c, [record(1), record(2), record(3), record(2)]),
    );
    expect(added).toBe(2);
    expect(await inTransaction(pool, (c) => records.append(c, record(3)))).toBe(false);

    const rows = await records.listForSubject('counterparty', subject);
    expect(rows.map((r) => r.eventType)).toEqual(['event-1', 'event-2', 'event-3']);
    expect(rows[1]?.payload).toEqual(record(2).payload);
    for (const row of rows) expect(row.hash).toBe(recordHash(row.prevHash, row));
    // One batch is one stretch of the chain: each row links to the one before.
    expect(rows[2]?.seq).toBe((rows[1]?.seq as number) + 1);
    expect(rows[2]?.prevHash).toBe(rows[1]?.hash);
  });

  it('writers side by side extend one chain that verifies', async () => {
    const subject = `T-${randomUUID().slice(0, 8)}`;
    const records = createCreditRecordQueries(pool);
    await Promise.all(
      Array.from({ length: 24 }, (_, n) =>
        inTransaction(pool, async (c) => {
          // Time in the transaction before the append, as a receivable's event writes its snapshot first.
          await c.query('SELECT pg_sleep(0.002)');
          return records.append(c, {
            subjectType: 'counterparty',
            subjectId: subject,
            eventType: 'side-by-side',
            payload: { n },
            source: 'test',
            idempotencyKey: `${subject}:${n}`,
          });
        }),
      ),
    );
    const rows = await records.listForSubject('counterparty', subject);
    expect(rows.map((r) => r.payload.n).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 24 }, (_, n) => n),
    );
    expect(await records.verify()).toMatchObject({ ok: true });
  });
});
