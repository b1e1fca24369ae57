// The worker's workflow bundle: every workflow type creditflow runs.
export { receivableWorkflow } from './receivable/receivable.workflow.js';
export { salespersonAssessmentWorkflow } from './salesperson/salesperson-assessment.workflow.js';
