// The worker's workflow bundle: every workflow type creditflow runs.

export { correspondenceWorkflow } from './correspondence/correspondence.workflow.js';
export {
  dealerDecisionWorkflow,
  monthlyPerformanceWorkflow,
  quarterlyRatingWorkflow,
  ratingBatchWorkflow,
} from './rating/rating.workflow.js';
export { receivableWorkflow } from './receivable/receivable.workflow.js';
export { salespersonAssessmentWorkflow } from './salesperson/salesperson-assessment.workflow.js';
export { salespersonReviewWorkflow } from './salesperson/salesperson-review.workflow.js';
export { customerScoresRefreshWorkflow, customerScoreWorkflow } from './scores/customer-score.workflow.js';
export { monthlyStatementsWorkflow } from './statements/statements.workflow.js';
