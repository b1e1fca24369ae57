/**
 * Finance's monthly salesperson assessment (docs/domain.md §4): the month's figures per
 * salesperson from PostgreSQL, the assessment (domain/salesperson-assessment.ts),
 * the stored table, and finance's e-mail — each idempotent, so a re-run of a month
 * changes nothing.
 */
import { patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { SalespersonActivities } from '../../activities/salesperson/activities.js';
import { BATCH_ACTIVITY_OPTIONS, monthlyRunPeriod } from '../shared/periodic-run.js';
import {
  getSalespersonAssessmentStatus,
  type SalespersonAssessmentInput,
  type SalespersonAssessmentResult,
  type SalespersonAssessmentStatus,
} from './contract.js';

const acts = proxyActivities<SalespersonActivities>(BATCH_ACTIVITY_OPTIONS);

export async function salespersonAssessmentWorkflow(
  input: SalespersonAssessmentInput,
): Promise<SalespersonAssessmentResult> {
  const { policy, month } = await monthlyRunPeriod(input, acts.policyInForce);
  const status: SalespersonAssessmentStatus = { month, stage: 'computing', result: null };
  setHandler(getSalespersonAssessmentStatus, () => status);
  const ids = input.salespersonIds ?? null;
  const computed = await acts.computeSalespersonAssessment({
    month,
    policy,
    salespersonIds: ids,
    ...(input.startedBy ? { startedBy: input.startedBy } : {}),
  });
  // Each salesperson's credit score follows the month's assessment (docs/scores.md).
  if (patched('salesperson-score-after-assessment'))
    await acts.scoreSalespeopleAfterAssessment({ month, policy, salespersonIds: ids });
  status.stage = 'mailing';
  const mail = await acts.mailSalespersonAssessment({ month, salespersonIds: ids });
  status.result = { month, ...computed, mailKey: mail.key };
  status.stage = 'done';
  return status.result;
}
