/**
 * Workflow histories kept under test/histories/ and replayed in `npm test`, so a
 * change to workflow code that breaks determinism fails CI. `SAVE_HISTORIES=1 npm test`
 * records the ones not saved yet; a saved history is never overwritten, because it is the
 * record of the code that ran it (save a versioned change's history under a new name).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import proto from '@temporalio/proto';

export const HISTORIES_DIR = path.resolve(import.meta.dirname, '..', 'histories');

export async function saveHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.SAVE_HISTORIES !== '1') return;
  await mkdir(HISTORIES_DIR, { recursive: true });
  const history = await handle.fetchHistory();
  try {
    await writeFile(path.join(HISTORIES_DIR, `${name}.json`), historyToJSON(history), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

export async function loadHistories() {
  const files = (await readdir(HISTORIES_DIR)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (f) => ({
      workflowId: f.replace(/\.json$/, ''),
      history: historyFromJSON(JSON.parse(await readFile(path.join(HISTORIES_DIR, f), 'utf8'))),
    })),
  );
}

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/**
 * What a history costs: its size as Temporal stores and sends it to a replaying worker
 * (protobuf), its size as saved here (compact JSON, payloads in base64), and the workflow tasks
 * each timeline step took — from the step's timer firing to the next timer the workflow
 * starts (the next step's, or the +30 step's wait for a manager), or to the run's end.
 */
export function historyCost(history: History): {
  bytes: number;
  jsonBytes: number;
  events: number;
  tasksPerStep: number[];
} {
  const events = history.events ?? [];
  const tasksPerStep: number[] = [];
  let counting: number | null = null;
  for (const e of events) {
    if (e.timerFiredEventAttributes) {
      if (counting !== null) tasksPerStep.push(counting);
      counting = 0;
    } else if (e.workflowTaskCompletedEventAttributes && counting !== null) counting += 1;
    else if (
      (e.timerStartedEventAttributes || e.workflowExecutionCompletedEventAttributes) &&
      counting !== null
    ) {
      tasksPerStep.push(counting);
      counting = null;
    }
  }
  if (counting !== null) tasksPerStep.push(counting);
  return {
    bytes: proto.temporal.api.history.v1.History.encode(history).finish().length,
    jsonBytes: JSON.stringify(JSON.parse(historyToJSON(history))).length,
    events: events.length,
    tasksPerStep,
  };
}
