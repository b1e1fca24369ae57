/**
 * Data for tests, written through the data layer (store/): a counterparty or a salesperson
 * as it stands, with no credit record, and receivables and payments as their workflows
 * would have left them — for tests that need them in place rather than made through the
 * API and the workflows. Fields not given take the schema's defaults
 * (a counterparty writes in zh-CN) or a neutral value.
 */
import { createBulkSeeding, type ReceivableSeedRow } from '../../store/bulk.js';
import { inTransaction, type Pool } from '../../store/db.js';
import { createStore } from '../../store/index.js';

type Store = ReturnType<typeof createStore>;
export type CounterpartySeed = Parameters<Store['receivables']['upsertCounterparty']>[0];
export type SalespersonSeed = Parameters<Store['receivables']['upsertSalesperson']>[0];

/** Writes the counterparty `c.id` (a dealer in Hangzhou unless `c` says otherwise); returns its id. */
export async function seedCounterparty(
  pool: Pool,
  c: Pick<CounterpartySeed, 'id'> & Partial<CounterpartySeed>,
): Promise<string> {
  await createStore(pool).receivables.upsertCounterparty({
    name: `Dealer ${c.id}`,
    kind: 'dealer',
    email: `${c.id.toLowerCase()}@dealer.test`,
    language: 'zh-CN',
    region: 'Hangzhou',
    contactName: null,
    creditGrade: null,
    customerClass: null,
    creditLimitMinor: 0,
    creditTermDays: null,
    joinedOn: '2024-01-01',
    ...c,
  });
  return c.id;
}

/** Writes the salesperson `s.id` (in Shanghai, no limit of their own unless `s` says otherwise); returns its id. */
export async function seedSalesperson(
  pool: Pool,
  s: Pick<SalespersonSeed, 'id'> & Partial<SalespersonSeed>,
): Promise<string> {
  await createStore(pool).receivables.upsertSalesperson({
    name: `Seller ${s.id}`,
    email: `${s.id.toLowerCase()}@acme.test`,
    region: 'Shanghai',
    phone: null,
    creditLimitMinor: null,
    ...s,
  });
  return s.id;
}

/** Receivables as their workflows would have left them in PostgreSQL (no workflow runs them). */
export const seedReceivables = (pool: Pool, rows: readonly ReceivableSeedRow[]): Promise<void> =>
  createBulkSeeding(pool).receivables(rows);

/** Payments applied to seeded receivables. */
export async function seedPayments(
  pool: Pool,
  payments: readonly {
    id: string;
    receivableId: string;
    amountMinor: number;
    discountMinor: number;
    paidOn: string;
  }[],
): Promise<void> {
  const store = createStore(pool);
  await inTransaction(pool, async (client) => {
    for (const p of payments) await store.receivables.insertPayment(client, p);
  });
}
