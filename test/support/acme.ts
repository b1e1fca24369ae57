/**
 * The company every test runs as and the mailer it sends with, and for a test that calls receivable activities
 * directly: the activities on the real servers, and a dealer and salesperson.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { inject } from 'vitest';
import { createReceivableActivities } from '../../activities/receivable/activities.js';
import { createMailer, type Mailer } from '../../infra/mail.js';
import { createOperations } from '../../operations/index.js';
import { createStore } from '../../store/index.js';
import { seedCounterparty, seedSalesperson } from './seed.js';

export const TEST_COMPANY = {
  name: 'Acme',
  financeApprovers: ['finance@acme.test'],
  marketingApprovers: ['marketing@acme.test'],
  managers: ['manager@acme.test'],
  creditDesk: ['desk@acme.test'],
};

/** Acme's credit desk sending through the test SMTP server. */
export const testMailer = (opts?: Parameters<typeof createMailer>[2]): Mailer =>
  createMailer(inject('smtpUrl'), 'Acme credit <credit@acme.test>', opts);

/**
 * A dealer graded AB (outside the home region unless `region` says so) and its salesperson (no limit of their own
 * unless `salesperson` gives one, and a name); ids start with `prefix`.
 */
export async function seedDealerAndSalesperson(
  pool: Pool,
  prefix: string,
  region = 'Hangzhou',
  salesperson: { name?: string; creditLimitMinor?: number } = {},
): Promise<{ counterpartyId: string; salespersonId: string }> {
  const suffix = randomUUID().slice(0, 8);
  const counterpartyId = await seedCounterparty(pool, {
    id: `${prefix}D-${suffix}`,
    name: `Dealer ${suffix}`,
    email: `${prefix.toLowerCase()}d-${suffix}@dealer.test`,
    language: 'en',
    region,
    creditGrade: 'AB',
    creditLimitMinor: 100_000_000,
    creditTermDays: 60,
    joinedOn: '2024-01-15',
  });
  const salespersonId = await seedSalesperson(pool, {
    id: `${prefix}S-${suffix}`,
    name: salesperson.name ?? `Seller ${suffix}`,
    email: `${prefix.toLowerCase()}s-${suffix}@acme.test`,
    creditLimitMinor: salesperson.creditLimitMinor ?? null,
  });
  return { counterpartyId, salespersonId };
}

/** The receivable activities on the test's PostgreSQL and SMTP server, with the workflow's clock at `now`. */
export function directReceivableActivities(
  pool: Pool,
  now: Date,
): { activities: ReturnType<typeof createReceivableActivities>; mailer: Mailer } {
  const mailer = testMailer();
  const store = createStore(pool);
  const activities = createReceivableActivities({
    store,
    operations: createOperations(store),
    mailer,
    company: TEST_COMPANY,
    clock: () => now,
  });
  return { activities, mailer };
}
