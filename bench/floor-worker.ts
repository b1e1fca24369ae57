/**
 * P2F's worker, a process of its own started like the worker (the bench's allocator and node
 * flags; through tsx, since bench/ is not compiled): the same connection, the same WORKER_* tuning
 * mapped by workers/all.ts's workerTuning, the same mailer settings (SMTP_URL,
 * SMTP_MAX_CONNECTIONS); only its task queue and its one workflow differ.
 */
import '../infra/worker-heap.js';
import { createRequire } from 'node:module';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../infra/config.js';
import { runUntilStopped } from '../infra/lifecycle.js';
import { createMailer } from '../infra/mail.js';
import { temporalMetricsTelemetry } from '../infra/metrics.js';
import { connectWorker } from '../infra/temporal.js';
import { workerTuning } from '../workers/all.js';
import { createFloorActivities, FLOOR_TASK_QUEUE } from './floor.activities.js';

const require = createRequire(import.meta.url);

runUntilStopped(async (stops) => {
  const config = loadConfig();
  if (!config.temporal.address || !config.mail.url)
    throw new Error('TEMPORAL_ADDRESS and SMTP_URL must be set');
  // The core's Prometheus page as the real worker has it: the bench reads its cache's size (P4F).
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    shutdownSignals: [],
    telemetryOptions: temporalMetricsTelemetry(`127.0.0.1:${config.metrics.temporalPort}`),
  });
  const connection = await connectWorker(config.temporal.address, config.temporal.security);
  const mailer = createMailer(config.mail.url, config.mail.from, {
    maxConnections: config.mail.maxConnections,
  });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: FLOOR_TASK_QUEUE,
    workflowsPath: require.resolve('./floor.workflow.ts'),
    activities: createFloorActivities(mailer),
    ...workerTuning(config.worker),
  });
  stops.add(async () => {
    mailer.close();
    await connection.close();
  });
  stops.add(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  });
  return { running: worker.run() };
});
