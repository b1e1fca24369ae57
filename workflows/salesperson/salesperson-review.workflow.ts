/**
 * The quarterly salesperson review (docs/domain.md §5): every salesperson (or the named ones)
 * in batches, each batch an activity that proposes their reviews from the score, the
 * quarter's record and assessments, and the limit usage. A decided review stays as
 * decided, so a re-run of a quarter only refreshes the open proposals.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { SalespersonActivities } from '../../activities/salesperson/activities.js';
import { chunk } from '../../domain/rating-cycle.js';
import { BATCH_ACTIVITY_OPTIONS } from '../shared/periodic-run.js';
import {
  SALESPERSON_REVIEW_BATCH_SIZE,
  type SalespersonReviewInput,
  type SalespersonReviewResult,
} from './contract.js';

const acts = proxyActivities<SalespersonActivities>(BATCH_ACTIVITY_OPTIONS);

export async function salespersonReviewWorkflow(
  input: SalespersonReviewInput,
): Promise<SalespersonReviewResult> {
  const ids = await acts.listSalespeopleForReview({ salespersonIds: input.salespersonIds ?? null });
  for (const batch of chunk(ids, SALESPERSON_REVIEW_BATCH_SIZE))
    await acts.proposeSalespersonReviews({
      quarter: input.quarter,
      timeZone: input.policy.timeZone,
      salespersonIds: batch,
    });
  return { quarter: input.quarter, salespeople: ids.length };
}
