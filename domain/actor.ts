/**
 * Who did something. Every credit fact (decision, payment, reason, grade, limit,
 * override) carries the actor the server authenticated: never a name from a
 * request body. Plain data, so it travels in Update arguments, activity inputs,
 * credit records, tasks and webhook payloads alike.
 */

export const ROLES = ['finance', 'marketing', 'manager', 'sales', 'credit-desk', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  /** The credential that authenticated the request. */
  credentialId: string;
  /** Its login name (`li`). */
  username: string;
  /** The person's name as the company knows it (`李丽`); the username when none was given. */
  name: string;
  role: Role;
  /**
   * Someone the actor says they act for (a clerk keying a manager's paper
   * decision). Stored apart from the actor and never verified by creditflow.
   */
  onBehalfOf?: OnBehalfOf;
}

export interface OnBehalfOf {
  name: string;
  note?: string;
  /** Always false: creditflow cannot prove who a person acted for. */
  verified: false;
}

/** A process acting by itself: the workflow at a deadline, a schedule, the policy. */
export interface SystemActor {
  credentialId: null;
  username: string;
  name: string;
  role: 'system';
}

export const systemActor = (what: string): SystemActor => ({
  credentialId: null,
  username: `system:${what}`,
  name: what,
  role: 'system',
});

/**
 * A debtor acting through its portal link (api/routes/portal.ts): no credential of a person,
 * the counterparty itself. `username` is `debtor:<counterpartyId>`; `credentialId` names the
 * link it came through (`portal:<linkId>`), so every act is traced to the link that made it.
 */
export interface DebtorActor {
  credentialId: string;
  username: `debtor:${string}`;
  /** The counterparty's name. */
  name: string;
  role: 'debtor';
  counterpartyId: string;
}

export const debtorActor = (counterpartyId: string, name: string, linkId: string): DebtorActor => ({
  credentialId: `portal:${linkId}`,
  username: `debtor:${counterpartyId}`,
  name,
  role: 'debtor',
  counterpartyId,
});

export const isDebtorActor = (a: { role: string }): a is DebtorActor => a.role === 'debtor';

/** How an actor reads in a record line or a letter: `李丽 (li, finance)`. */
export function describeActor(a: Actor | SystemActor | DebtorActor): string {
  if (isDebtorActor(a)) return `${a.name} (${a.username}, via portal)`;
  const base = a.name === a.username ? `${a.username} (${a.role})` : `${a.name} (${a.username}, ${a.role})`;
  return 'onBehalfOf' in a && a.onBehalfOf ? `${base} on behalf of ${a.onBehalfOf.name} (unverified)` : base;
}

/** The credit record's `source` column for an act by this actor. */
export const actorSource = (a: Actor | SystemActor | DebtorActor) =>
  isDebtorActor(a) ? a.username : a.credentialId ? `credential:${a.credentialId}` : a.username;
