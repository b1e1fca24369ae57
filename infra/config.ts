/**
 * creditflow's configuration, read once from the environment into a typed object.
 * Every setting has a local default so `npm start` needs none of them; pointing
 * TEMPORAL_ADDRESS / DATABASE_URL / SMTP_URL at existing servers makes the
 * project use those instead of starting its own.
 */
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_RETRY_SCHEDULE, type RetrySchedule } from '../domain/webhooks.js';
import { parseAllowedNetworks } from './webhook-destinations.js';

const port = z.coerce.number().int().min(0).max(65535);
/** An empty or absent URL means "start our own server". */
const optionalUrl = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined),
  z.string().url().optional(),
);

/** An absent or empty count means "the library's default". */
const optionalCount = (min: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined),
    z.coerce.number().int().min(min).optional(),
  );

/**
 * Which of creditflow's workers a worker process runs (`WORKER_ROLE`). `all` (the default,
 * and `npm start`): every one. Production may split them: `receivables` runs the receivable
 * task queue (receivables, their readers' days) and the webhook dispatcher, in as many
 * replicas as the open receivables need; `periodic` runs the ratings, salespeople's
 * assessments, statements and customer scores, which keep their schedules. Each worker costs
 * its process a workflow thread (docs/performance.md).
 */
export const WORKER_ROLES = ['all', 'receivables', 'periodic'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];

const ConfigSchema = z.object({
  ROOT_DIR: z.string(),
  DATA_DIR: z.string().optional(),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: port.default(3000),
  // The proxies in front of the API (addresses or CIDRs, comma-separated): a request from
  // one of them is taken to come from the first address in X-Forwarded-For not theirs.
  API_TRUST_PROXY: z.string().default(''),
  // How long an API request waits for the workflows it calls before 504 (docs/api.md, Limits).
  API_WORKFLOW_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  // Verified bearer credentials an API process keeps (0: none), and for how long at most (docs/security.md).
  CREDENTIAL_CACHE_SIZE: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
  CREDENTIAL_CACHE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_TASK_QUEUE: z.string().default('creditflow'),
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
  TEMPORAL_TLS_CERT: z.string().optional(),
  TEMPORAL_TLS_KEY: z.string().optional(),
  TEMPORAL_TLS_CA: z.string().optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
  METRICS_HOST: z.string().default('127.0.0.1'),
  METRICS_PORT: port.default(9464),
  TEMPORAL_METRICS_PORT: port.default(9465),
  DATABASE_URL: optionalUrl,
  POSTGRES_PORT: port.default(54329),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  SMTP_URL: optionalUrl,
  SMTP_PORT: port.default(2525),
  MAIL_INBOX_PORT: port.default(8025),
  SMTP_MAX_CONNECTIONS: z.coerce.number().int().min(0).max(100).default(4),
  MAIL_FROM: z.string().default('creditflow <credit@creditflow.local>'),
  COMPANY_NAME: z.string().default('creditflow'),
  // The letterhead of formal letters and statements (docs/letters.md); each optional.
  COMPANY_ADDRESS: z.string().optional(),
  COMPANY_CONTACT: z.string().optional(),
  COMPANY_SEAL_IMAGE: z.string().optional(),
  FINANCE_APPROVERS: z.string().default('finance@creditflow.local'),
  MARKETING_APPROVERS: z.string().default('marketing@creditflow.local'),
  MANAGERS: z.string().default('manager@creditflow.local'),
  CREDIT_DESK: z.string().default('credit-desk@creditflow.local'),
  POLICY_FILE: z.string().optional(),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().positive().default(DEFAULT_RETRY_SCHEDULE.baseMs),
  WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().positive().default(DEFAULT_RETRY_SCHEDULE.capMs),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(DEFAULT_RETRY_SCHEDULE.maxAttempts),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  WEBHOOK_POLL_MS: z.coerce.number().int().positive().default(1_000),
  WEBHOOK_ALLOWED_NETWORKS: z.string().default(''),
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  HTTP_UPLOAD_STALL_MS: z.coerce.number().int().min(100).default(30_000),
  HTTP_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(120_000),
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  WORKER_MAX_CACHED_WORKFLOWS: optionalCount(0),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: optionalCount(2),
  WORKER_MAX_CONCURRENT_ACTIVITIES: optionalCount(1),
  // The SDK's 10 s sends a busy worker's cached workflows elsewhere, to be replayed, in
  // the morning's reminder storm. New tasks skip a worker that stopped polling 10 s ago.
  WORKER_STICKY_QUEUE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(300),
  WORKER_ROLE: z.enum(WORKER_ROLES).default('all'),
});

export interface Config {
  rootDir: string;
  dataDir: string;
  api: {
    host: string;
    port: number;
    workflowCallTimeoutMs: number;
    trustProxy: string[];
    /** Verified bearer credentials kept in memory (api/credential-cache.ts); undefined: none. */
    credentialCache: { maxEntries: number; maxAgeMs: number } | undefined;
  };
  /** What the HTTP server allows its clients (docs/security.md). */
  http: {
    /** The request line and headers must arrive within this. */
    headersTimeoutMs: number;
    /** A request's body (ordinary routes) must arrive within this of its headers. */
    requestTimeoutMs: number;
    /** A streamed upload (imports) may go this long without sending a byte. */
    uploadStallMs: number;
    /** A connection with no traffic at all this long is closed. */
    idleTimeoutMs: number;
    /** Failed authentications per client address per minute before it is answered 429. */
    authFailuresPerMinute: number;
  };
  temporal: {
    /** When undefined, `npm start` runs the Temporal CLI's dev server itself. */
    address: string | undefined;
    namespace: string;
    devPort: number;
    uiPort: number;
    taskQueue: string;
    /** How to reach a secured server (Temporal Cloud, a cluster with mTLS); undefined: plain gRPC. */
    security: TemporalSecurity | undefined;
  };
  metrics: {
    /** The worker's Prometheus endpoint: http://host:port/metrics. */
    host: string;
    port: number;
    /** The Temporal SDK core's own exporter, on loopback; its text is appended to /metrics. */
    temporalPort: number;
  };
  /** poolSize: connections per process (the API's and the worker's each). */
  postgres: { url: string | undefined; embeddedPort: number; poolSize: number };
  mail: {
    url: string | undefined;
    smtpPort: number;
    inboxPort: number;
    from: string;
    /**
     * SMTP connections kept open and reused (default 4); 0: a new connection per message.
     * Reuse saved about a tenth of the worker's CPU per reminder in `npm run bench` (P2).
     */
    maxConnections: number;
  };
  /** Which workers the process runs, and each worker's tuning (undefined: the Temporal SDK's default). */
  worker: {
    /** Which task queues this process's workers poll (workers/all.ts). */
    role: WorkerRole;
    maxCachedWorkflows: number | undefined;
    maxConcurrentWorkflowTasks: number | undefined;
    maxConcurrentActivities: number | undefined;
    /** How long a cached workflow's next task waits for this worker before any worker may take it. */
    stickyQueueTimeoutSeconds: number;
  };
  company: {
    name: string;
    /** The letterhead's postal address and contact line (telephone, e-mail); undefined: left out. */
    address?: string;
    contact?: string;
    /** A PNG of the company seal printed over a letter's signature; undefined: none. */
    sealImagePath?: string;
    financeApprovers: string[];
    marketingApprovers: string[];
    managers: string[];
    creditDesk: string[];
  };
  policyFile: string | undefined;
  /** Outgoing webhooks: the retry schedule, the per-attempt timeout, the outbox poll interval. */
  webhooks: {
    retry: RetrySchedule;
    timeoutMs: number;
    pollIntervalMs: number;
    /**
     * Networks (CIDRs or single addresses) a receiver may be at beyond the public internet,
     * for on-premises receivers; empty: public addresses only (docs/security.md).
     */
    allowedNetworks: string[];
  };
}

export interface TemporalSecurity {
  /** Temporal Cloud API key, sent as a bearer token (implies TLS). */
  apiKey?: string;
  /** TLS; with a client certificate and key for mTLS, and the server's CA when it is private. */
  tls?: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string };
}

function temporalSecurity(e: z.infer<typeof ConfigSchema>): TemporalSecurity | undefined {
  if (Boolean(e.TEMPORAL_TLS_CERT) !== Boolean(e.TEMPORAL_TLS_KEY))
    throw new Error('Invalid configuration: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (mTLS)');
  const secured =
    e.TEMPORAL_TLS === 'true' ||
    Boolean(e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_CA || e.TEMPORAL_TLS_SERVER_NAME || e.TEMPORAL_API_KEY);
  if (!secured) return undefined;
  const tls = {
    ...(e.TEMPORAL_TLS_CERT ? { certPath: e.TEMPORAL_TLS_CERT } : {}),
    ...(e.TEMPORAL_TLS_KEY ? { keyPath: e.TEMPORAL_TLS_KEY } : {}),
    ...(e.TEMPORAL_TLS_CA ? { caPath: e.TEMPORAL_TLS_CA } : {}),
    ...(e.TEMPORAL_TLS_SERVER_NAME ? { serverName: e.TEMPORAL_TLS_SERVER_NAME } : {}),
  };
  return { ...(e.TEMPORAL_API_KEY ? { apiKey: e.TEMPORAL_API_KEY } : {}), tls };
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // The application's root: the repository, or the directory holding dist/ when compiled.
  const here = path.resolve(import.meta.dirname, '..');
  const rootDir = path.basename(here) === 'dist' ? path.dirname(here) : here;
  const parsed = ConfigSchema.safeParse({ ROOT_DIR: rootDir, ...env });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${issues}`);
  }
  const e = parsed.data;
  return {
    rootDir,
    dataDir: path.resolve(rootDir, e.DATA_DIR ?? '.data'),
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      workflowCallTimeoutMs: e.API_WORKFLOW_TIMEOUT_MS,
      trustProxy: list(e.API_TRUST_PROXY),
      credentialCache:
        e.CREDENTIAL_CACHE_SIZE > 0
          ? { maxEntries: e.CREDENTIAL_CACHE_SIZE, maxAgeMs: e.CREDENTIAL_CACHE_SECONDS * 1000 }
          : undefined,
    },
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      uploadStallMs: e.HTTP_UPLOAD_STALL_MS,
      idleTimeoutMs: e.HTTP_IDLE_TIMEOUT_MS,
      authFailuresPerMinute: e.AUTH_FAILURES_PER_MINUTE,
    },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      devPort: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      security: temporalSecurity(e),
    },
    metrics: { host: e.METRICS_HOST, port: e.METRICS_PORT, temporalPort: e.TEMPORAL_METRICS_PORT },
    postgres: { url: e.DATABASE_URL, embeddedPort: e.POSTGRES_PORT, poolSize: e.DATABASE_POOL_SIZE },
    mail: {
      url: e.SMTP_URL,
      smtpPort: e.SMTP_PORT,
      inboxPort: e.MAIL_INBOX_PORT,
      from: e.MAIL_FROM,
      maxConnections: e.SMTP_MAX_CONNECTIONS,
    },
    worker: {
      role: e.WORKER_ROLE,
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTasks: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      stickyQueueTimeoutSeconds: e.WORKER_STICKY_QUEUE_TIMEOUT_SECONDS,
    },
    company: {
      name: e.COMPANY_NAME,
      ...(e.COMPANY_ADDRESS?.trim() ? { address: e.COMPANY_ADDRESS.trim() } : {}),
      ...(e.COMPANY_CONTACT?.trim() ? { contact: e.COMPANY_CONTACT.trim() } : {}),
      ...(e.COMPANY_SEAL_IMAGE?.trim()
        ? { sealImagePath: path.resolve(rootDir, e.COMPANY_SEAL_IMAGE.trim()) }
        : {}),
      financeApprovers: list(e.FINANCE_APPROVERS),
      marketingApprovers: list(e.MARKETING_APPROVERS),
      managers: list(e.MANAGERS),
      creditDesk: list(e.CREDIT_DESK),
    },
    policyFile: e.POLICY_FILE,
    webhooks: {
      retry: {
        baseMs: e.WEBHOOK_RETRY_BASE_MS,
        factor: DEFAULT_RETRY_SCHEDULE.factor,
        capMs: e.WEBHOOK_RETRY_MAX_MS,
        maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      },
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      pollIntervalMs: e.WEBHOOK_POLL_MS,
      allowedNetworks: parseAllowedNetworks(list(e.WEBHOOK_ALLOWED_NETWORKS), 'WEBHOOK_ALLOWED_NETWORKS'),
    },
  };
}
