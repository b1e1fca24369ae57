/**
 * Exactly-once external effects under activity retries and worker restarts: each
 * effect (an e-mail, a letter, a supply stop, a grade change) has a key per
 * receivable and step, claimed in PostgreSQL before the effect and marked done
 * after it. A retry of a done effect returns its stored result and does nothing.
 */
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from './db.js';

export interface Effects {
  once<T>(key: string, step: string, receivableId: string | null, effect: () => Promise<T>): Promise<T>;
  /** Runs `effect` inside a transaction that also marks the key done: all or nothing. */
  onceInTransaction<T>(
    key: string,
    step: string,
    receivableId: string | null,
    effect: (client: PoolClient) => Promise<T>,
  ): Promise<T>;
}

export function createEffects(pool: Pool): Effects {
  return {
    async once(key, step, receivableId, effect) {
      await pool.query(
        `INSERT INTO effects (key, receivable_id, step, status) VALUES ($1, $2, $3, 'claimed') ON CONFLICT (key) DO NOTHING`,
        [key, receivableId, step],
      );
      const { rows } = await pool.query<{ status: string; result: unknown }>(
        'SELECT status, result FROM effects WHERE key = $1',
        [key],
      );
      if (rows[0]?.status === 'done') return rows[0].result as Awaited<ReturnType<typeof effect>>;
      const result = await effect();
      await pool.query(`UPDATE effects SET status = 'done', result = $2, done_at = now() WHERE key = $1`, [
        key,
        JSON.stringify(result ?? null),
      ]);
      return result;
    },
    async onceInTransaction(key, step, receivableId, effect) {
      type Result = Awaited<ReturnType<typeof effect>>;
      const ran = await inTransaction(pool, async (client): Promise<{ result: Result } | null> => {
        const claimed = await client.query(
          `INSERT INTO effects (key, receivable_id, step, status, done_at) VALUES ($1, $2, $3, 'done', now())
           ON CONFLICT (key) DO NOTHING RETURNING key`,
          [key, receivableId, step],
        );
        if (claimed.rowCount === 0) return null; // done before: nothing written here
        const result = await effect(client);
        await client.query('UPDATE effects SET result = $2 WHERE key = $1', [
          key,
          JSON.stringify(result ?? null),
        ]);
        return { result };
      });
      if (ran) return ran.result;
      const { rows } = await pool.query<{ result: unknown }>('SELECT result FROM effects WHERE key = $1', [
        key,
      ]);
      return rows[0]?.result as Result;
    },
  };
}
