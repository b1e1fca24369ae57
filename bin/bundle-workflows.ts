/**
 * `npm run build`'s last step: the workflow bundles the compiled worker loads instead of
 * running webpack as it starts (workers/worker.ts `prebuiltBundlePath`). Run from dist/, so
 * the bundles hold the compiled workflows the image ships.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { prebuiltBundlePath, WORKFLOW_BUNDLES, type WorkflowBundleName } from '../workers/worker.js';

for (const name of Object.keys(WORKFLOW_BUNDLES) as WorkflowBundleName[]) {
  const file = prebuiltBundlePath(name);
  if (!file)
    throw new Error('bundle the workflows from the compiled build (node dist/bin/bundle-workflows.js)');
  const { code } = await bundleWorkflowCode({ ...WORKFLOW_BUNDLES[name], logger: new DefaultLogger('WARN') });
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, code);
  console.log(
    `workflow bundle ${name}: ${path.relative(process.cwd(), file)} (${Math.round(code.length / 1024)} KiB)`,
  );
}
