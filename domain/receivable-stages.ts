/**
 * Where a receivable stands, and the three groups the rules count by: pending (applied, not
 * yet decided), open (issued, not yet closed: counts in exposure and takes payments), closed.
 * The one list of each; the workflow, the data layer and the reports import them from here.
 */

/** Applied and not yet decided: counts in exposure at its requested amount. */
export const PENDING_STAGES = ['applied', 'awaiting-approval', 'manager-review'] as const;

/** Issued and not yet closed: counts in exposure at its outstanding amount, and takes payments. */
export const OPEN_STAGES = [
  'issued',
  'reminded',
  'overdue',
  'second-notice',
  'credit-desk',
  'legal-review',
  'legal',
] as const;

/** Done: nothing more happens to the receivable. The overdue open stages name the last escalation step taken. */
export const STAGES = [...PENDING_STAGES, 'rejected', ...OPEN_STAGES, 'paid', 'written-off'] as const;
export type Stage = (typeof STAGES)[number];

export const CLOSED_STAGES: readonly Stage[] = ['rejected', 'paid', 'written-off'];

/** Whether a receivable in `stage` is open (issued, not closed). */
export const isOpenStage = (stage: string): boolean => (OPEN_STAGES as readonly string[]).includes(stage);
