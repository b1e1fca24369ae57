/**
 * A fresh dealer and salesperson through the API, an application filed for them and, when a test needs it,
 * the two votes that issue it. Ids end in a random suffix so tests never share a receivable.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { apiCaller } from './auth.js';
import { dealerIdentity } from './seed.js';

type Call = ReturnType<typeof apiCaller>;

/**
 * The body `POST /v1/counterparties` takes for the dealer `id`: graded AA in Hangzhou with a
 * 100,000.00 limit and 60 days, unless `over` says otherwise.
 */
export const dealerRequest = (id: string, over: Record<string, unknown> = {}) => ({
  ...dealerIdentity(id),
  creditGrade: 'AA',
  creditLimitMinor: 10_000_000,
  creditTermDays: 60,
  joinedOn: '2024-03-01',
  ...over,
});

/** The body of a dealer graded AA in Hangzhou, as `POST /v1/counterparties` takes it. */
export const dealerBody = (id: string, name: string, suffix: string) =>
  dealerRequest(id, { name, email: `d-${suffix}@dealer.test` });

/** The body of a salesperson in Shanghai, as `POST /v1/salespeople` takes it. */
export const salespersonBody = (id: string, name: string, suffix: string, mailbox = 's') => ({
  id,
  name,
  email: `${mailbox}-${suffix}@acme.test`,
  region: 'Shanghai',
});

export interface Parties {
  dealer: ReturnType<typeof dealerBody>;
  seller: ReturnType<typeof salespersonBody>;
  receivableId: string;
}

/** A fresh dealer (`D-<suffix>`) and salesperson (`S-<suffix>`), each answered 201, and the id `R-<suffix>` for their receivable. */
export async function seedParties(
  call: Call,
  names: { dealer: (suffix: string) => string; seller: (suffix: string) => string },
  suffix = randomUUID().slice(0, 8),
): Promise<Parties> {
  const dealer = dealerBody(`D-${suffix}`, names.dealer(suffix), suffix);
  const seller = salespersonBody(`S-${suffix}`, names.seller(suffix), suffix);
  expect((await call('POST', '/v1/counterparties', dealer)).status).toBe(201);
  expect((await call('POST', '/v1/salespeople', seller)).status).toBe(201);
  return { dealer, seller, receivableId: `R-${suffix}` };
}

/** Files the parties' application (`POST /v1/credit-applications`) and returns the API's answer. */
export const fileFor = (
  call: Call,
  parties: Parties,
  terms: { amountMinor: number; requestedTermDays?: number },
) =>
  call('POST', '/v1/credit-applications', {
    receivableId: parties.receivableId,
    counterpartyId: parties.dealer.id,
    salespersonId: parties.seller.id,
    ...terms,
  });

/** Finance approves the amount and term, marketing approves; returns marketing's answer (the issued receivable). */
export async function issue(
  call: Call,
  receivableId: string,
  approvedAmountMinor: number,
  approvedTermDays: number,
) {
  const decisions = `/v1/receivables/${receivableId}/decisions`;
  await call('POST', decisions, {
    department: 'finance',
    approve: true,
    approvedAmountMinor,
    approvedTermDays,
  });
  return call('POST', decisions, { department: 'marketing', approve: true }, 'marketing');
}
