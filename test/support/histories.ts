/**
 * Workflow histories kept under test/histories/ and replayed in `npm test`, so a
 * change to workflow code that breaks determinism fails CI. Record them anew
 * with `SAVE_HISTORIES=1 npm test` after an intended, versioned change.
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

export async function loadHistories() {
  const files = (await readdir(HISTORIES_DIR)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (f) => ({
      workflowId: f.replace(/\.json$/, ''),
      history: historyFromJSON(JSON.parse(await readFile(path.join(HISTORIES_DIR, f), 'utf8'))),
    })),
  );
}
