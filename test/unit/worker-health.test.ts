/**
 * The worker's health check (docker-compose.yml, Dockerfile) asks GET /health on the
 * metrics port: 200 while its workers poll, 503 before they start and once they stop,
 * without rendering /metrics (which queries PostgreSQL).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type MetricsRegistry, serveMetrics } from '../../infra/metrics.js';

let renders = 0;
const registry = {
  contentType: 'text/plain',
  render: async () => {
    renders++;
    return 'creditflow_up 1\n';
  },
} as unknown as MetricsRegistry;

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
  renders = 0;
});

async function serve(ready?: () => boolean) {
  const server = await serveMetrics({ host: '127.0.0.1', port: 0, registry, ...(ready ? { ready } : {}) });
  close = server.close;
  return server.url.replace(/\/metrics$/, '');
}

describe("the worker's /health", () => {
  it('answers 503 until the workers poll, 200 while they do, 503 once they stop', async () => {
    let polling = false;
    const base = await serve(() => polling);
    expect((await fetch(`${base}/health`)).status).toBe(503);
    polling = true;
    const up = await fetch(`${base}/health`);
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ ok: true });
    polling = false;
    expect((await fetch(`${base}/health`)).status).toBe(503);
    expect(renders).toBe(0);
  });

  it('is not served where nothing says whether workers poll; /metrics is', async () => {
    const base = await serve();
    expect((await fetch(`${base}/health`)).status).toBe(404);
    expect(await (await fetch(`${base}/metrics`)).text()).toBe('creditflow_up 1\n');
  });
});
