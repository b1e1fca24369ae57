/**
 * The debtor portal's rules (docs/workspace.md): how long a link lives, how far ahead a debtor
 * may promise to pay and how many promises a receivable takes. Pure: the numbers come from
 * the policy (`policy.portal`, optional: policies stored before it existed use the defaults).
 */
import { addDays, type CalendarDate, isCalendarDate } from './calendar.js';
import type { Policy } from './policy.js';

export interface PortalPolicy {
  /** Days a portal link stays valid after it is issued. */
  linkDays: number;
  /** A promise to pay may name a date at most this many days after today. */
  promiseMaxDaysAhead: number;
  /** Promises to pay (from anyone) a receivable takes in its life. */
  promisesPerReceivable: number;
}

export const DEFAULT_PORTAL_POLICY: PortalPolicy = {
  linkDays: 30,
  promiseMaxDaysAhead: 30,
  promisesPerReceivable: 2,
};

export const portalPolicy = (policy: Pick<Policy, 'portal'>): PortalPolicy => ({
  ...DEFAULT_PORTAL_POLICY,
  ...policy.portal,
});

/** Why the debtor's promise is refused (a message naming the field), or null. */
export function promiseRefusal(
  promisedBy: string,
  today: CalendarDate,
  promisesSoFar: number,
  rules: PortalPolicy,
): string | null {
  if (!isCalendarDate(promisedBy)) return 'promisedBy: must be a calendar date YYYY-MM-DD';
  if (promisedBy < today) return `promisedBy: ${promisedBy} is already past`;
  const last = addDays(today, rules.promiseMaxDaysAhead);
  if (promisedBy > last) return `promisedBy: at most ${rules.promiseMaxDaysAhead} days ahead (by ${last})`;
  if (promisesSoFar >= rules.promisesPerReceivable)
    return `promisedBy: this invoice has had ${promisesSoFar} promises to pay already, the most it takes; please contact us`;
  return null;
}
