/**
 * Which master-data fields are credit facts, and where each may change (docs/domain.md §8
 * "Who acted"). Creating a counterparty or salesperson may set them; afterwards an
 * upsert (the API's or an import's) never does: the grade changes through the
 * quarterly rating, the +15 downgrade or a manager's override; a customer's class
 * through the customer score, the +15 downgrade or an override; a limit or term
 * through the rating (dealers) or an override; a salesperson's limit through a
 * proposal a manager approves. Pure: no I/O.
 */

import { systemActor } from './actor.js';
import { lowerClassOneStep } from './customer-class.js';
import { type CreditGrade, lowerOneStep } from './rating.js';

/** The processes that change a grade by themselves: the actor of their credit facts. */
export const QUARTERLY_RATING = systemActor('quarterly-rating');
export const OVERDUE_DOWNGRADE = systemActor('overdue-downgrade');

export const COUNTERPARTY_CREDIT_FACTS = [
  'creditGrade',
  'customerClass',
  'creditLimitMinor',
  'creditTermDays',
] as const;
export type CounterpartyCreditFact = (typeof COUNTERPARTY_CREDIT_FACTS)[number];

/** Plain master data: an upsert may change these, and the change is recorded. */
export const COUNTERPARTY_DETAILS = [
  'name',
  'email',
  'language',
  'region',
  'contactName',
  'address',
  'joinedOn',
] as const;
export const SALESPERSON_DETAILS = ['name', 'email', 'region', 'phone'] as const;

export type Kind = 'dealer' | 'customer';

export interface CounterpartyProfile {
  kind: Kind;
  name: string;
  email: string;
  language: string;
  region: string;
  contactName: string | null;
  /** The postal address letters are sent to (optional; migration 021). */
  address?: string | null;
  joinedOn: string;
  creditGrade: string | null;
  customerClass: string | null;
  creditLimitMinor: number;
  creditTermDays: number | null;
}

/** An upsert's view of a counterparty: a credit fact left out means "as it is". */
export type CounterpartyUpsert = Omit<CounterpartyProfile, CounterpartyCreditFact> &
  Partial<Pick<CounterpartyProfile, CounterpartyCreditFact>>;

export interface SalespersonProfile {
  name: string;
  email: string;
  region: string;
  phone: string | null;
  creditLimitMinor: number | null;
}
export type SalespersonUpsert = Omit<SalespersonProfile, 'creditLimitMinor'> &
  Partial<Pick<SalespersonProfile, 'creditLimitMinor'>>;

/** What an act changed: the changed fields only, before and after. */
export interface Change {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/** A credit fact an upsert may not change: the field, and where it does change. */
export interface Refusal {
  field: string;
  message: string;
}

/** The fields of `fields` where `incoming` (when it states them) differs from `existing`. */
export function changes<T extends object>(
  existing: T,
  incoming: Partial<T>,
  fields: readonly (keyof T)[],
): Change {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const f of fields) {
    const now = incoming[f];
    if (now === undefined || now === existing[f]) continue;
    before[f as string] = existing[f];
    after[f as string] = now;
  }
  return { before, after };
}

export const changed = (c: Change) => Object.keys(c.after).length > 0;

/** Where a counterparty's credit fact changes, in the business's words, for a refusal. */
export function counterpartyProcess(field: CounterpartyCreditFact, id: string): string {
  const override = `a manager's override with a reason (POST /v1/counterparties/${id}/credit-overrides)`;
  switch (field) {
    case 'creditGrade':
      return `a dealer's grade changes only through the quarterly rating, the +15 downgrade or ${override}`;
    case 'customerClass':
      return `a customer's class changes only through the customer score (POST /v1/customers/${id}/score), the +15 downgrade or ${override}`;
    case 'creditLimitMinor':
    case 'creditTermDays':
      return `a credit limit or term changes only through the quarterly rating (dealers) or ${override}`;
  }
}

/**
 * What an upsert of an existing counterparty does: refused when it would change a
 * credit fact (or turn a dealer into a customer), otherwise the detail changes.
 */
export function counterpartyUpsert(
  id: string,
  existing: CounterpartyProfile,
  incoming: CounterpartyUpsert,
): { refused: Refusal } | { change: Change } {
  if (incoming.kind !== existing.kind)
    return {
      refused: {
        field: 'kind',
        message: `${id} is a ${existing.kind}: a dealer's grade and a customer's class are different credit facts, so the kind does not change (create a new counterparty)`,
      },
    };
  const credit = changes(existing, incoming, COUNTERPARTY_CREDIT_FACTS);
  const field = COUNTERPARTY_CREDIT_FACTS.find((f) => f in credit.after);
  if (field)
    return {
      refused: {
        field,
        message: `${id} has ${field} ${show(existing[field])} (this says ${show(incoming[field])}): ${counterpartyProcess(field, id)}`,
      },
    };
  return { change: changes(existing, incoming, COUNTERPARTY_DETAILS) };
}

/** The same for a salesperson: the limit goes evaluation → proposal → a manager's approval. */
export function salespersonUpsert(
  id: string,
  existing: SalespersonProfile,
  incoming: SalespersonUpsert,
): { refused: Refusal } | { change: Change } {
  if (incoming.creditLimitMinor !== undefined && incoming.creditLimitMinor !== existing.creditLimitMinor)
    return {
      refused: {
        field: 'creditLimitMinor',
        message: `${id} has creditLimitMinor ${show(existing.creditLimitMinor)} (this says ${show(incoming.creditLimitMinor)}): a salesperson's limit changes only through a proposal from an evaluation (POST /v1/salespeople/${id}/limit-proposals) that a manager approves`,
      },
    };
  return { change: changes(existing, incoming, SALESPERSON_DETAILS) };
}

/**
 * A manager's override: the credit facts it sets that differ from now. Refused when it
 * gives a dealer a class or a customer a grade.
 */
export function counterpartyOverride(
  id: string,
  existing: CounterpartyProfile,
  override: Partial<Pick<CounterpartyProfile, CounterpartyCreditFact>>,
): { refused: Refusal } | { change: Change } {
  if (existing.kind === 'customer' && override.creditGrade !== undefined)
    return {
      refused: {
        field: 'creditGrade',
        message: `${id} is a customer: customers carry a class A–D, not a dealer grade`,
      },
    };
  if (existing.kind === 'dealer' && override.customerClass !== undefined)
    return {
      refused: {
        field: 'customerClass',
        message: `${id} is a dealer: dealers carry a nine-grade rating, not a class`,
      },
    };
  return { change: changes(existing, override, COUNTERPARTY_CREDIT_FACTS) };
}

/**
 * The +15 downgrade of a counterparty (a receivable 15+ days overdue without a valid reason):
 * a dealer's grade, or a customer's class, one step worse. `after` is null when it has none
 * to lower (nothing changes then).
 */
export function overdueDowngrade(c: {
  kind: Kind;
  creditGrade: string | null;
  customerClass: string | null;
}): { field: 'creditGrade' | 'customerClass'; before: string | null; after: string | null } {
  if (c.kind === 'dealer') {
    const before = c.creditGrade;
    const after = before ? lowerOneStep(before as CreditGrade) : null;
    return { field: 'creditGrade', before, after };
  }
  return { field: 'customerClass', before: c.customerClass, after: lowerClassOneStep(c.customerClass) };
}

const show = (v: unknown) => (v === null ? 'none' : String(v));
