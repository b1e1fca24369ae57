/**
 * SQL for letter numbers (CF-2026-000123): one number per message key, assigned once (a retried
 * send, or the same statement asked for again, gets the number it had), counted per year without
 * gaps. The format is domain-free: prefix, year, six digits.
 */
import type { Pool } from 'pg';
import { inTransaction } from './db.js';

export const LETTER_NUMBER_PREFIX = 'CF';

export const letterNumber = (year: number, seq: number) =>
  `${LETTER_NUMBER_PREFIX}-${year}-${String(seq).padStart(6, '0')}`;

export function createLetterQueries(pool: Pool) {
  return {
    /**
     * The letter number of message `key`: the one it was given before, or the next of `year`.
     * Two sends of the same key at once wait for each other (an advisory lock on the key).
     */
    async assign(
      key: string,
      a: { year: number; kind: string; counterpartyId: string | null },
    ): Promise<string> {
      const before = await pool.query<{ number: string }>(
        'SELECT number FROM letter_numbers WHERE key = $1',
        [key],
      );
      if (before.rows[0]) return before.rows[0].number;
      return inTransaction(pool, async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtextextended('letter-number:' || $1, 0))", [
          key,
        ]);
        const again = await client.query<{ number: string }>(
          'SELECT number FROM letter_numbers WHERE key = $1',
          [key],
        );
        if (again.rows[0]) return again.rows[0].number;
        const { rows } = await client.query<{ last: number }>(
          `INSERT INTO letter_sequences (year, last) VALUES ($1, 1)
           ON CONFLICT (year) DO UPDATE SET last = letter_sequences.last + 1 RETURNING last`,
          [a.year],
        );
        const seq = rows[0]?.last as number;
        const number = letterNumber(a.year, seq);
        await client.query(
          `INSERT INTO letter_numbers (key, year, seq, number, kind, counterparty_id) VALUES ($1, $2, $3, $4, $5, $6)`,
          [key, a.year, seq, number, a.kind, a.counterpartyId],
        );
        return number;
      });
    },
  };
}

export type LetterQueries = ReturnType<typeof createLetterQueries>;
