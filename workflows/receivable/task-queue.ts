// The receivable task queue's workflows: the receivables and their readers' days of
// correspondence. Its worker bundles this and no more, and loads these modules once into its
// shared V8 context (workers/worker.ts PRELOADED_WORKFLOW_MODULES): it caches one workflow per
// open receivable, and a cached workflow evaluates its own copy of every module that is not
// preloaded (docs/performance.md, "Workflow memory"). So they keep no module-level state.

export { correspondenceWorkflow } from '../correspondence/correspondence.workflow.js';
export { receivableWorkflow } from './receivable.workflow.js';
