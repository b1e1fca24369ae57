/**
 * creditflow's workers, one per task queue, and what they share: where they connect, which
 * workflows they bundle, how they are tuned.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createRatingActivities } from '../activities/rating/activities.js';
import {
  createReceivableActivities,
  type ReceivableActivityDeps,
} from '../activities/receivable/activities.js';
import { createSalespersonActivities } from '../activities/salesperson/activities.js';
import { createScoreActivities } from '../activities/scores/activities.js';
import { createStatementActivities } from '../activities/statements/activities.js';
import { RATING_TASK_QUEUE } from '../workflows/rating/contract.js';
import { RECEIVABLE_TASK_QUEUE } from '../workflows/receivable/contract.js';
import { SALESPERSON_TASK_QUEUE } from '../workflows/salesperson/contract.js';
import { SCORES_TASK_QUEUE } from '../workflows/scores/contract.js';
import { STATEMENT_TASK_QUEUE } from '../workflows/statements/contract.js';

const require = createRequire(import.meta.url);
// From the TypeScript sources (tsx, the tests) the workflows are index.ts; from the compiled
// build (`npm run build`, dist/) they are index.js beside this file's own JavaScript.
const sourceExt = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
export const WORKFLOWS_PATH = require.resolve(`../workflows/index.${sourceExt}`);

/**
 * The pure rules workflows import (domain/: no Temporal, no I/O, no per-workflow state; their
 * caches hold Intl formatters, the same for every workflow). Loaded once into the worker's
 * shared V8 context instead of once per cached workflow: each cached workflow otherwise
 * evaluates its own copy of every module it imports (docs/performance.md).
 */
const SHARED_WORKFLOW_MODULES = [
  'actor',
  'calendar',
  'customer-class',
  'policy',
  'rating-cycle',
  'rating',
  'receivable-stages',
  'salesperson-assessment',
  'salesperson-review',
]
  .map((m) => require.resolve(`../domain/${m}.${sourceExt}`))
  .concat(require.resolve('../domain/format.js'));

/** The receivable task queue's workflows: the receivables and their readers' days. */
const RECEIVABLE_QUEUE_WORKFLOWS = require.resolve(`../workflows/receivable/task-queue.${sourceExt}`);

/**
 * The modules loaded once into the shared V8 context: the pure rules, and the receivable task
 * queue's workflow modules with `@temporalio/workflow`'s entry point, which they import. Those
 * modules keep no state of their own (no top-level `let`, nothing a run writes to; a unit test
 * holds them to it), since every workflow in the context would share it: each run keeps its
 * state in its own call. Loaded per workflow, they cost every cached receivable its own copy
 * of their functions and constants (docs/performance.md, "Workflow memory"). The other
 * workflows, few at a time, are still evaluated per workflow.
 */
export const PRELOADED_WORKFLOW_MODULES = [...SHARED_WORKFLOW_MODULES, RECEIVABLE_QUEUE_WORKFLOWS];

/** How the workflow bundle is built, by the worker and by the tests alike. */
export const WORKFLOW_BUNDLE_OPTIONS = {
  workflowsPath: WORKFLOWS_PATH,
  preloadModules: PRELOADED_WORKFLOW_MODULES,
};

/**
 * The receivable worker's own bundle: its task queue's workflows alone. It caches a workflow
 * per open receivable; without the rating, salesperson, score and statement workflows in its
 * bundle a cached receivable holds about 20 KiB less (docs/performance.md). The other workers,
 * whose workflows are few, share the whole bundle.
 */
export const RECEIVABLE_BUNDLE_OPTIONS = {
  workflowsPath: RECEIVABLE_QUEUE_WORKFLOWS,
  preloadModules: PRELOADED_WORKFLOW_MODULES,
};

/** The workflow bundles a worker runs: every workflow, and the receivable task queue's alone. */
export const WORKFLOW_BUNDLES = {
  all: WORKFLOW_BUNDLE_OPTIONS,
  receivable: RECEIVABLE_BUNDLE_OPTIONS,
} as const;
export type WorkflowBundleName = keyof typeof WORKFLOW_BUNDLES;

/**
 * Where the compiled build keeps each bundle, made once by `npm run build`
 * (bin/bundle-workflows.ts), as Temporal recommends for production: a worker that loads a
 * prebuilt bundle never runs webpack, which left about 35 MiB behind in every worker process
 * and took about two seconds of its start (docs/performance.md). From the TypeScript sources (tsx, the
 * tests) there is none: the workflows are bundled as the worker starts.
 */
export const prebuiltBundlePath = (name: WorkflowBundleName): string | undefined =>
  sourceExt === 'js' ? fileURLToPath(new URL(`../workflow-bundles/${name}.js`, import.meta.url)) : undefined;

/** Each bundle's deployment, read and hashed once: the four periodic workers share one bundle. */
const deploymentOfBundle = new WeakMap<object, NonNullable<WorkerOptions['workerDeploymentOptions']>>();

/**
 * The worker's deployment version, without Worker Versioning: creditflow's deployment, and a
 * build id naming the workflow bundle it runs (the first 12 hex digits of the bundle's SHA-256).
 * Temporal writes the build id into every completed workflow task of a history; the SDK's
 * default (its own name and version and the bundle's whole hash, 90 characters) cost a fully
 * escalated receivable about 1.8 KB (docs/performance.md). Undefined when the SDK bundles the
 * workflows itself, so their code is not known before.
 */
export function deploymentOf(
  bundle: WorkerOptions['workflowBundle'],
): WorkerOptions['workerDeploymentOptions'] {
  if (!bundle) return undefined;
  const known = deploymentOfBundle.get(bundle);
  if (known) return known;
  const code = 'code' in bundle ? bundle.code : readFileSync(bundle.codePath, 'utf8');
  const buildId = createHash('sha256').update(code).digest('hex').slice(0, 12);
  const deployment = {
    version: { deploymentName: 'creditflow', buildId },
    useWorkerVersioning: false as const,
  };
  deploymentOfBundle.set(bundle, deployment);
  return deployment;
}

/** Where a worker runs and how; the rest of a worker's options are its activities' dependencies. */
export interface WorkerPlacement {
  connection: NativeConnection;
  namespace: string;
  /** A prebuilt bundle (tests build once); otherwise the worker bundles workflows/ itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Defaults to the task queue of the worker's workflows. */
  taskQueue?: string;
  tuning?: Partial<WorkerOptions>;
}

/** Splits a worker's options into its placement and its activities' dependencies. */
export function placementOf<T extends WorkerPlacement>(
  opts: T,
): [WorkerPlacement, Omit<T, keyof WorkerPlacement>] {
  const { connection, namespace, workflowBundle, taskQueue, tuning, ...deps } = opts;
  return [{ connection, namespace, workflowBundle, taskQueue, tuning }, deps];
}

/** A worker polling `defaultTaskQueue` (unless placed elsewhere) with these activities. */
export function createWorker(
  placement: WorkerPlacement,
  defaultTaskQueue: string,
  activities: object,
): Promise<Worker> {
  const { connection, namespace, workflowBundle, taskQueue, tuning } = placement;
  return Worker.create({
    connection,
    namespace,
    taskQueue: taskQueue ?? defaultTaskQueue,
    ...(workflowBundle
      ? { workflowBundle, workerDeploymentOptions: deploymentOf(workflowBundle) }
      : { workflowsPath: WORKFLOWS_PATH }),
    activities,
    ...tuning,
  });
}

/** A worker of one kind: its placement, and the dependencies of its activities. */
const workerOf =
  <Deps>(taskQueue: string, activitiesOf: (deps: Deps) => object) =>
  (opts: Deps & WorkerPlacement): Promise<Worker> => {
    const [placement, deps] = placementOf(opts);
    return createWorker(placement, taskQueue, activitiesOf(deps as unknown as Deps));
  };

export type ReceivableWorkerOptions = ReceivableActivityDeps & WorkerPlacement;
/** The worker that runs receivable workflows and their activities. */
export const createReceivableWorker = workerOf(RECEIVABLE_TASK_QUEUE, createReceivableActivities);
/** The worker that runs the salesperson assessment and review workflows and their activities. */
export const createSalespersonWorker = workerOf(SALESPERSON_TASK_QUEUE, createSalespersonActivities);
/** The worker that runs the dealer rating workflows (monthly, quarterly, batches, decisions) and their activities. */
export const createRatingWorker = workerOf(RATING_TASK_QUEUE, createRatingActivities);
/** The worker that runs the monthly statements of account and their activities. */
export const createStatementWorker = workerOf(STATEMENT_TASK_QUEUE, createStatementActivities);
/** The worker that refreshes customer scores (on behaviour changes, debounced, and monthly) and their activities. */
export const createScoreWorker = workerOf(SCORES_TASK_QUEUE, createScoreActivities);
