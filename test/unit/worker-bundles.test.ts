import { describe, expect, it } from 'vitest';
import { CORRESPONDENCE_TASK_QUEUE } from '../../workflows/correspondence/contract.js';
import * as everyWorkflow from '../../workflows/index.js';
import { RECEIVABLE_TASK_QUEUE } from '../../workflows/receivable/contract.js';
import * as receivableQueue from '../../workflows/receivable/task-queue.js';

describe("the receivable worker's own bundle (workers/worker.ts RECEIVABLE_BUNDLE_OPTIONS)", () => {
  it('holds the workflows of the receivable task queue, the receivables and their readers’ days, and no others', () => {
    // The readers' days are started on the receivable queue, so its worker must know them.
    expect(CORRESPONDENCE_TASK_QUEUE).toBe(RECEIVABLE_TASK_QUEUE);
    expect(Object.keys(receivableQueue).sort()).toEqual(['correspondenceWorkflow', 'receivableWorkflow']);
    expect(receivableQueue.receivableWorkflow).toBe(everyWorkflow.receivableWorkflow);
    expect(receivableQueue.correspondenceWorkflow).toBe(everyWorkflow.correspondenceWorkflow);
  });
});
