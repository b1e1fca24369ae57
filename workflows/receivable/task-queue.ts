// The receivable task queue's workflows: the receivables and their readers' days of
// correspondence. Its worker bundles this and no more, because it caches one workflow per open
// receivable and every cached workflow evaluates its own copy of its bundle's modules
// (docs/performance.md, "Workflow memory").

export { correspondenceWorkflow } from '../correspondence/correspondence.workflow.js';
export { receivableWorkflow } from './receivable.workflow.js';
