import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deploymentOf } from '../../workers/worker.js';
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

describe("a worker's deployment version (workers/worker.ts deploymentOf)", () => {
  it('names the bundle it runs by its SHA-256, 12 hex digits, with Worker Versioning off', async () => {
    const code = 'globalThis.__creditflow = 1;';
    const sha = createHash('sha256').update(code).digest('hex');
    expect(deploymentOf({ code })).toEqual({
      version: { deploymentName: 'creditflow', buildId: sha.slice(0, 12) },
      useWorkerVersioning: false,
    });
    // A bundle on disk reads the same; another bundle gets another build id.
    const dir = await mkdtemp(path.join(tmpdir(), 'bundle-'));
    await writeFile(path.join(dir, 'bundle.js'), code);
    expect(deploymentOf({ codePath: path.join(dir, 'bundle.js') })).toEqual(deploymentOf({ code }));
    expect(deploymentOf({ code: `${code}\n` })?.version.buildId).not.toBe(sha.slice(0, 12));
    // Workflows the SDK bundles itself: no code known before, the SDK's own build id.
    expect(deploymentOf(undefined)).toBeUndefined();
  });
});
