/**
 * Workflow histories kept under test/histories/ and replayed in `npm test`, so a
 * change to workflow code that breaks determinism fails CI. Record them anew
 * with `SAVE_HISTORIES=1 npm test` after an intended, versioned change, keeping
 * the previous ones in a sub-folder named for the change.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { TimelineStepResult } from '../../workflows/receivable/contract.js';

export const HISTORIES_DIR = path.resolve(import.meta.dirname, '..', 'histories');

export async function saveHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.SAVE_HISTORIES !== '1') return;
  await mkdir(HISTORIES_DIR, { recursive: true });
  const history = await handle.fetchHistory();
  await writeFile(path.join(HISTORIES_DIR, `${name}.json`), historyToJSON(history));
}

/**
 * Every saved history: the current ones and those kept in sub-folders from before a
 * versioned change (e.g. before-one-activity-per-step/), which running workflows still replay.
 */
export async function loadHistories() {
  const entries = await readdir(HISTORIES_DIR, { recursive: true });
  const files = entries.filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (f) => ({
      workflowId: f.replace(/\.json$/, ''),
      history: historyFromJSON(JSON.parse(await readFile(path.join(HISTORIES_DIR, f), 'utf8'))),
    })),
  );
}

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/**
 * Each effect a workflow's activities ran, with the instant its activity was
 * scheduled (workflow time): an activity by its own name, and a `takeTimelineStep`
 * by each effect its result reports done, in order. Effects of a step still running
 * are not listed.
 */
export function effectsRun(history: History): { effect: string; scheduledMs: number }[] {
  const scheduled = new Map<string, { type: string; ms: number }>();
  const out: { effect: string; scheduledMs: number }[] = [];
  for (const e of history.events ?? []) {
    const ms = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
    const type = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (type) {
      scheduled.set(String(e.eventId), { type, ms });
      if (type !== 'takeTimelineStep') out.push({ effect: type, scheduledMs: ms });
      continue;
    }
    const completed = e.activityTaskCompletedEventAttributes;
    const step = completed && scheduled.get(String(completed.scheduledEventId));
    if (step?.type !== 'takeTimelineStep') continue;
    const payload = completed?.result?.payloads?.[0];
    const result = payload ? defaultPayloadConverter.fromPayload<TimelineStepResult>(payload) : null;
    for (const effect of result?.done ?? []) out.push({ effect, scheduledMs: step.ms });
  }
  return out;
}
