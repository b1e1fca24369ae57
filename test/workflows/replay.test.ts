/** Replays every saved history against today's workflow code: nondeterminism fails here. */
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { loadHistories } from '../support/histories.js';

describe('replay of saved receivable histories', () => {
  it('every saved history replays without a determinism error', async () => {
    const histories = await loadHistories();
    expect(histories.length).toBeGreaterThanOrEqual(5);
    const results = Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      histories,
    );
    const failures: string[] = [];
    let replayed = 0;
    for await (const r of results) {
      replayed++;
      if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(histories.length);
  });
});
