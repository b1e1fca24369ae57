/**
 * Workflow histories kept under test/histories/ and replayed in `npm test`, so a
 * change to workflow code that breaks determinism fails CI. Record them anew
 * with `SAVE_HISTORIES=1 npm test` after an intended, versioned change, keeping
 * the previous ones in a sub-folder named for the change.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';

export const HISTORIES_DIR = path.resolve(import.meta.dirname, '..', 'histories');

export async function saveHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.SAVE_HISTORIES !== '1') return;
  await mkdir(HISTORIES_DIR, { recursive: true });
  const history = await handle.fetchHistory();
  await writeFile(path.join(HISTORIES_DIR, `${name}.json`), historyToJSON(history));
}

/**
 * Every saved history, the current ones and those kept in sub-folders from before a
 * versioned change (e.g. before-local-first-steps/): running workflows still replay them.
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

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/**
 * The activity an event runs: an activity scheduled on the task queue, or one run
 * locally inside a workflow task (a `core_local_activity` marker, as timeline
 * steps run since the local-first patch). Null for every other event.
 */
export function effectActivityType(e: HistoryEvent): string | null {
  const scheduled = e.activityTaskScheduledEventAttributes?.activityType?.name;
  if (scheduled) return scheduled;
  const marker = e.markerRecordedEventAttributes;
  if (marker?.markerName !== 'core_local_activity') return null;
  const data = marker.details?.data?.payloads?.[0]?.data;
  if (!data) return null;
  const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string };
  return parsed.activity_type ?? null;
}
