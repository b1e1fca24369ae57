/**
 * A transaction's connection lost while the transaction awaits something other than its own
 * queries (store/db.ts inTransaction): the pool does not listen to a client it has lent out, so
 * the server's goodbye would be an error event no one handles, ending the worker or the API.
 * The transaction fails instead, and the pool goes on with a fresh connection.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createPool, inTransaction, type Pool } from '../../store/db.js';

let pool: Pool;
let admin: Pool;
beforeAll(() => {
  pool = createPool(inject('databaseUrl'), 1);
  admin = createPool(inject('databaseUrl'), 1);
});
afterAll(async () => {
  await pool?.end();
  await admin?.end();
});

it('a transaction whose connection is terminated between its queries fails, and the pool carries on', async () => {
  const outcome = inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    // The server ends this connection while the transaction waits on something else.
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
    await new Promise((r) => setTimeout(r, 300));
    await client.query('SELECT 1');
  });
  await expect(outcome).rejects.toThrow();
  // The lost client was discarded: the pool's one connection is a new one that works.
  const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
  expect(rows[0]?.one).toBe(1);
});
