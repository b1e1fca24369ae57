/**
 * How far a worker process's V8 heaps may grow past what a full collection left: a quarter.
 * V8's own heuristic, tuned for speed, lets a heap's limit grow up to four times, and after a
 * storm much of that room is garbage not yet collected, kept resident beside the cached
 * workflows. A quarter cut the memory per cached receivable by about a tenth at the same CPU
 * per step (docs/performance.md, "Workflow memory"). V8's flags hold for the whole process, the
 * workflow threads' heaps too. Imported first by the worker's entry points, before their
 * modules build anything.
 */
import { setFlagsFromString } from 'node:v8';

const WORKER_HEAP_GROWING_PERCENT = 25;

setFlagsFromString(`--heap-growing-percent=${WORKER_HEAP_GROWING_PERCENT}`);
