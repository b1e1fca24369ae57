/**
 * A salesperson's world: their own receivables, and the counterparties they sell to
 * (those with at least one receivable of theirs, in any stage — filing an application
 * is how a salesperson starts selling to a counterparty). Everything else answers
 * exactly as if it did not exist: the same 404 (or the same "unknown …" 422) an
 * unknown id gets, never a 403 that would tell "someone else's" from "no such thing".
 * Staff roles see everything their role may call. docs/security.md says what is shown.
 */
import type { ReceivableQueries } from '../store/receivables.js';
import type { Principal } from './auth.js';

/** A salesperson credential, whose answers are limited to their own world. */
export const isSalesperson = (p: Principal | undefined): p is Principal => p?.role === 'sales';

/** Whether `principal` may see what belongs to salesperson `salespersonId`. */
export const seesSalesperson = (p: Principal | undefined, salespersonId: string): boolean =>
  !isSalesperson(p) || (p.salespersonId !== null && p.salespersonId === salespersonId);

/**
 * Whose figures a salesperson's request is about: their own always. Another's id (or an
 * unknown one) selects nothing, so the answer is the empty one an unknown id gets.
 */
export const salespersonScope = (p: Principal, requested: string | undefined): string =>
  requested === undefined || seesSalesperson(p, requested) ? (p.salespersonId ?? '') : '';

export function createVisibility(receivables: Pick<ReceivableQueries, 'sellsTo' | 'ownedBy'>) {
  return {
    /** Whether `principal` may see counterparty `counterpartyId` (staff: always). */
    async seesCounterparty(principal: Principal | undefined, counterpartyId: string): Promise<boolean> {
      if (!isSalesperson(principal)) return true;
      if (!principal.salespersonId) return false;
      return receivables.sellsTo(principal.salespersonId, counterpartyId);
    },

    /** The salesperson's own receivable ids among `ids`. */
    async ownReceivables(principal: Principal, ids: string[]): Promise<Set<string>> {
      if (!principal.salespersonId || ids.length === 0) return new Set();
      return receivables.ownedBy(principal.salespersonId, ids);
    },
  };
}

export type Visibility = ReturnType<typeof createVisibility>;

/** The receivable a credit-record event is about, if any (its payload or its source says). */
export function receivableOf(event: { payload: Record<string, unknown>; source?: string }): string | null {
  const id = event.payload.receivableId;
  if (typeof id === 'string') return id;
  const m = event.source ? /^receivable:(.+)$/.exec(event.source) : null;
  return m?.[1] ?? null;
}
