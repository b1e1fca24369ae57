/**
 * The tamper-evident credit record: appended records chain by hash; an edit made
 * behind the application's back (plain SQL) is found at exactly that record.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCreditRecordQueries } from '../../store/credit-record.js';
import { createPool, inTransaction, type Pool } from '../../store/db.js';

let pool: Pool;
beforeAll(() => {
  pool = createPool(inject('databaseUrl'), 2);
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
});
