/**
 * Exactly-once effects for a batch (store/effects.ts, allOnceInTransaction): one transaction claims
 * the keys not done before and runs the effect with those alone; a key done earlier answers its stored
 * result; a failed effect leaves every key of the batch unclaimed.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool, type Pool } from '../../store/db.js';
import { createEffects, type Effects } from '../../store/effects.js';

let pool: Pool;
let effects: Effects;
beforeAll(() => {
  pool = createPool(inject('databaseUrl'), 2);
  effects = createEffects(pool);
});
afterAll(async () => {
  await pool?.end();
});

const keysOf = (n: number) => {
  const tag = randomUUID().slice(0, 8);
  return Array.from({ length: n }, (_, i) => `effects-test:${tag}:${i}`);
};

describe('allOnceInTransaction', () => {
  it('runs the effect with the keys not done before, and answers the earlier ones from their stored results', async () => {
    const [a, b, c] = keysOf(3) as [string, string, string];
    const first = await effects.allOnceInTransaction([a, b], 'test-batch', async (_client, claimed) => {
      expect([...claimed].sort()).toEqual([a, b].sort());
      return new Map([...claimed].map((k) => [k, { wrote: k, run: 1 }]));
    });
    expect(first.get(a)).toEqual({ result: { wrote: a, run: 1 }, fresh: true });

    const second = await effects.allOnceInTransaction([a, b, c], 'test-batch', async (_client, claimed) => {
      expect([...claimed]).toEqual([c]);
      return new Map([[c, { wrote: c, run: 2 }]]);
    });
    expect(second.get(a)).toEqual({ result: { wrote: a, run: 1 }, fresh: false });
    expect(second.get(b)).toEqual({ result: { wrote: b, run: 1 }, fresh: false });
    expect(second.get(c)).toEqual({ result: { wrote: c, run: 2 }, fresh: true });

    let ran = false;
    const third = await effects.allOnceInTransaction([a, b, c], 'test-batch', async () => {
      ran = true;
      return new Map();
    });
    expect(ran).toBe(false);
    expect([...third.values()].every((v) => !v.fresh)).toBe(true);
  });

  it("writes in the effect's transaction: a failure leaves no key claimed and nothing written", async () => {
    const [a, b] = keysOf(2) as [string, string];
    const table = `effects_test_${randomUUID().slice(0, 8)}`;
    await pool.query(`CREATE TABLE ${table} (k text)`);
    try {
      await expect(
        effects.allOnceInTransaction([a, b], 'test-batch', async (client) => {
          await client.query(`INSERT INTO ${table} (k) VALUES ($1)`, [a]);
          throw new Error('the batch failed half-way');
        }),
      ).rejects.toThrow('half-way');
      const claimed = await pool.query('SELECT key FROM effects WHERE key = ANY($1)', [[a, b]]);
      expect(claimed.rowCount).toBe(0);
      expect((await pool.query(`SELECT k FROM ${table}`)).rowCount).toBe(0);

      const retried = await effects.allOnceInTransaction([a, b], 'test-batch', async (client, claimed) => {
        await client.query(`INSERT INTO ${table} (k) SELECT unnest($1::text[])`, [[...claimed]]);
        return new Map([...claimed].map((k) => [k, k]));
      });
      expect([...retried.values()].every((v) => v.fresh)).toBe(true);
      expect((await pool.query(`SELECT k FROM ${table}`)).rowCount).toBe(2);
    } finally {
      await pool.query(`DROP TABLE ${table}`);
    }
  });
});
