import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config.js';

describe('configuration: a secured Temporal, metrics and sizing', () => {
  it('connects in plain gRPC by default, with metrics on 127.0.0.1:9464 and the SDK defaults', () => {
    const c = loadConfig({});
    expect(c.temporal.security).toBeUndefined();
    expect(c.metrics).toEqual({ host: '127.0.0.1', port: 9464, temporalPort: 9465 });
    expect(c.postgres.poolSize).toBe(10);
    expect(c.worker).toEqual({
      role: 'all',
      maxConcurrentActivities: undefined,
      maxCachedWorkflows: undefined,
      stickyQueueTimeoutSeconds: 300,
    });
  });

  it('an API key turns TLS on; mTLS takes the certificate and key together, with an optional CA', () => {
    expect(loadConfig({ TEMPORAL_API_KEY: 'k' }).temporal.security).toEqual({ apiKey: 'k', tls: {} });
    expect(
      loadConfig({ TEMPORAL_TLS_CERT: '/c.pem', TEMPORAL_TLS_KEY: '/k.pem', TEMPORAL_TLS_CA: '/ca.pem' })
        .temporal.security,
    ).toEqual({ tls: { certPath: '/c.pem', keyPath: '/k.pem', caPath: '/ca.pem' } });
    expect(loadConfig({ TEMPORAL_TLS: 'true' }).temporal.security).toEqual({ tls: {} });
    expect(() => loadConfig({ TEMPORAL_TLS_CERT: '/c.pem' })).toThrow(
      /TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY/,
    );
  });

  it('reads the sizing settings as numbers and refuses nonsense', () => {
    const c = loadConfig({
      DATABASE_POOL_SIZE: '25',
      WORKER_MAX_CONCURRENT_ACTIVITIES: '20',
      WORKER_MAX_CACHED_WORKFLOWS: '500',
      WORKER_STICKY_QUEUE_TIMEOUT_SECONDS: '120',
      METRICS_PORT: '9100',
    });
    expect([c.postgres.poolSize, c.worker.maxConcurrentActivities, c.worker.maxCachedWorkflows]).toEqual([
      25, 20, 500,
    ]);
    expect(c.worker.stickyQueueTimeoutSeconds).toBe(120);
    expect(() => loadConfig({ WORKER_STICKY_QUEUE_TIMEOUT_SECONDS: '0' })).toThrow(
      /WORKER_STICKY_QUEUE_TIMEOUT_SECONDS/,
    );
    expect(c.metrics.port).toBe(9100);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
  });

  it('reads which workers a worker process runs, every one unless WORKER_ROLE says, and refuses another role', () => {
    expect(loadConfig({}).worker.role).toBe('all');
    expect(loadConfig({ WORKER_ROLE: 'receivables' }).worker.role).toBe('receivables');
    expect(loadConfig({ WORKER_ROLE: 'periodic' }).worker.role).toBe('periodic');
    expect(() => loadConfig({ WORKER_ROLE: 'rating' })).toThrow(/WORKER_ROLE/);
  });
});
