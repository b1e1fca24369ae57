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
export type CounterpartySeed = Parameters<Store['counterparties']['upsertCounterparty']>[0];
export type SalespersonSeed = Parameters<Store['salespeople']['upsertSalesperson']>[0];

/** A seed's fields, of which only the id is required. */
type Given<T extends { id: string }> = Pick<T, 'id'> & Partial<T>;

/** Who the dealer `id` is in every test that makes one: its name, mailbox and region. */
export const dealerIdentity = (id: string) => ({
  id,
  name: `Dealer ${id}`,
  kind: 'dealer' as const,
  email: `${id.toLowerCase()}@dealer.test`,
  region: 'Hangzhou',
});

/** A dealer in Hangzhou writing in zh-CN, with no grade, class, limit or term. */
const counterpartyDefaults = (id: string): CounterpartySeed => ({
  ...dealerIdentity(id),
  language: 'zh-CN',
  contactName: null,
  creditGrade: null,
  customerClass: null,
  creditLimitMinor: 0,
  creditTermDays: null,
  joinedOn: '2024-01-01',
});

/** A salesperson in Shanghai with no phone and no limit of their own. */
const salespersonDefaults = (id: string): SalespersonSeed => ({
  id,
  name: `Seller ${id}`,
  email: `${id.toLowerCase()}@acme.test`,
  region: 'Shanghai',
  phone: null,
  creditLimitMinor: null,
});

/** Writes the counterparty `c.id`, its other fields defaulted as above; returns its id. */
export const seedCounterparty = (pool: Pool, c: Given<CounterpartySeed>): Promise<string> =>
  createStore(pool)
    .counterparties.upsertCounterparty({ ...counterpartyDefaults(c.id), ...c })
    .then(() => c.id);

/** Writes the salesperson `s.id`, its other fields defaulted as above; returns its id. */
export const seedSalesperson = (pool: Pool, s: Given<SalespersonSeed>): Promise<string> =>
  createStore(pool)
    .salespeople.upsertSalesperson({ ...salespersonDefaults(s.id), ...s })
    .then(() => s.id);

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
