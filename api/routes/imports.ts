/**
 * Bulk import from a CRM or ERP: counterparties, receivables (invoices already
 * issued) and payments, as CSV, NDJSON or a JSON array, streamed — never buffered
 * whole. Each record is validated on its own and applied idempotently by its
 * external id; the import and a per-row report of what was created, updated, left
 * unchanged or rejected (and why) are kept in PostgreSQL.
 */
import { createHash, type Hash, randomUUID } from 'node:crypto';
import { type Readable, Transform } from 'node:stream';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { FORMATS, IMPORT_KINDS, type ImportKind, OUTCOMES } from '../../domain/imports.js';
import type { Policy } from '../../domain/policy.js';
import { storableText } from '../../domain/text.js';
import type { Operations } from '../../operations/index.js';
import type { ImportRow, ReportRow } from '../../store/imports.js';
import type { Store } from '../../store/index.js';
import { actorOf } from '../auth.js';
import { ApiError, orNotFound } from '../errors.js';
import { type AnyRoute, defineRoute, reply, STREAM_CONTENT_TYPES } from '../http.js';
import { createRowAppliers } from '../imports/importers.js';
import { ImportFileError, readRecords } from '../imports/records.js';
import { ROW_SPECS } from '../imports/rows.js';
import { runImport } from '../imports/run.js';
import { IDEMPOTENCY_HEADER, parseIdempotencyKey, REPLAYED_HEADER } from '../plugins/idempotency.js';
import { Id, QueryInt } from '../schemas.js';

/** The largest file one import takes. */
export const IMPORT_LIMIT_BYTES = 1024 ** 3;
/** Rejected rows the POST answer lists; the full report is paged from /rows. */
const REJECTED_IN_ANSWER = 1000;
/**
 * A running import's lease: its process renews it every quarter lease; one whose lease ran out
 * was left by a process that died, and is marked failed (migration 019).
 */
export const IMPORT_LEASE_MS = 60_000;

const Counts = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.number().int(),
});

const ReportRowSchema = z.object({
  row: z.number().int().describe('1-based record number in the file (a CSV header is not a record)'),
  externalId: z.string().nullable(),
  outcome: z.enum(OUTCOMES),
  field: z.string().nullable().describe('The field (CSV column) a rejection names'),
  message: z.string().nullable(),
});

const ImportSchema = z.object({
  importId: z.string(),
  kind: z.enum(IMPORT_KINDS),
  format: z.enum(['csv', 'ndjson', 'json']),
  status: z.enum(['running', 'done', 'failed']),
  counts: Counts,
  rowsProcessed: z.number().int().describe('Records whose outcome is recorded so far'),
  error: z.string().nullable().describe('Why a failed import stopped'),
  startedBy: z.string(),
  startedAt: z.string(),
  progressAt: z.string().describe('When outcomes were last recorded'),
  finishedAt: z.string().nullable(),
  report: z.string().describe('The per-row report'),
});

const reportLink = (id: string) => `/v1/imports/${encodeURIComponent(id)}/rows`;
const view = (i: ImportRow) => ({ ...i, report: reportLink(i.importId) });

const SUMMARY: Record<ImportKind, string> = {
  counterparties: 'Import dealers and customers: created, updated or unchanged by id',
  receivables:
    'Import invoices issued in the ERP: each starts receivable:<id> and joins the timeline where it stands',
  payments: 'Import payments: each applied once to its receivable by payment id',
};

export function importRoutes(deps: {
  client: Client;
  store: Store;
  operations: Operations;
  policy: () => Policy;
  /** Each row's deadline for the workflow calls it makes. */
  workflowCallTimeoutMs: number;
  importLeaseMs?: number;
}): AnyRoute[] {
  const queries = deps.store.imports;
  const { masterData } = deps.operations;
  const leaseMs = deps.importLeaseMs ?? IMPORT_LEASE_MS;

  const importRoute = (kind: ImportKind) =>
    defineRoute({
      method: 'POST',
      path: `/v1/imports/${kind}`,
      summary: `${SUMMARY[kind]}. Answers when done with the counts and the rejected rows`,
      tag: 'imports',
      roles: ['finance', 'admin'],
      query: z.object({
        importId: Id.optional().describe('Your id for this import (generated when absent); it must be new'),
      }),
      streamBody: {
        record: ROW_SPECS[kind].schema,
        contentTypes: STREAM_CONTENT_TYPES,
        limitBytes: IMPORT_LIMIT_BYTES,
      },
      response: ImportSchema.extend({
        rejectedRows: z.array(ReportRowSchema).describe(`The first ${REJECTED_IN_ANSWER} rejected rows`),
        rejectedRowsTruncated: z.boolean(),
      }),
      status: 201,
      handler: async ({ query, principal, upload }, req) => {
        if (!upload) throw new Error('a streamed route without its upload');
        if (!principal) throw new Error('an authenticated route without its principal');
        const format = FORMATS[upload.contentType];
        const startedBy = principal?.name ?? 'unknown';
        // Idempotency-Key: the whole upload is the request, so it is hashed as it streams.
        const idempotencyKey = parseIdempotencyKey(req.headers['idempotency-key']);
        const key =
          idempotencyKey && principal ? { credentialId: principal.credentialId, idempotencyKey } : undefined;
        const hash = createHash('sha256').update(`${kind}\n${upload.contentType}\n`);
        if (key) {
          await queries.failAbandoned(); // an abandoned import frees its key
          const earlier = await queries.findByKey(key.credentialId, key.idempotencyKey);
          if (earlier) return replayEarlier(earlier, kind, hash, upload.stream);
        }
        const importId = query.importId ?? `imp-${randomUUID()}`;
        if (
          !(await queries.start({ id: importId, kind, format, startedBy, leaseMs, ...(key ? { key } : {}) }))
        ) {
          if (key && (await queries.findByKey(key.credentialId, key.idempotencyKey))) throw keyInFlight();
          throw ApiError.conflict(`import ${importId} already exists: GET /v1/imports/${importId}`);
        }
        const spec = ROW_SPECS[kind];
        if (!principal) throw new Error('an import without a principal');
        const appliers = createRowAppliers(
          { client: deps.client, queries, masterData, workflowCallTimeoutMs: deps.workflowCallTimeoutMs },
          { importId, startedBy, actor: actorOf(principal), policy: deps.policy() },
        );
        const apply = appliers[kind] as (record: unknown) => ReturnType<(typeof appliers)[typeof kind]>;
        // Alive, even while the upload pauses or a row waits on its workflow.
        const heartbeat = setInterval(
          () =>
            queries
              .renewLease(importId, leaseMs)
              .catch((err) => req.log.warn({ err, importId }, 'lease not renewed')),
          leaseMs / 4,
        );
        try {
          await runImport({
            importId,
            records: readRecords(hashing(upload.stream, hash), format, spec),
            spec,
            apply,
            store: queries,
          });
        } catch (err) {
          throw await failed(importId, err);
        } finally {
          clearInterval(heartbeat);
        }
        if (key) await queries.setRequestHash(importId, hash.digest('hex'));
        await queries.finish(importId, 'done');
        return reply(201, await answer(importId));
      },
    });

  /** The POST's answer: the import's summary and its first rejected rows. */
  async function answer(importId: string) {
    const [done, rejectedRows] = await Promise.all([
      queries.get(importId),
      queries.listRows(importId, { outcome: 'rejected', afterRow: 0, limit: REJECTED_IN_ANSWER + 1 }),
    ]);
    if (!done) throw new Error(`import ${importId} vanished`);
    return {
      ...view(done),
      rejectedRows: rejectedRows.slice(0, REJECTED_IN_ANSWER),
      rejectedRowsTruncated: rejectedRows.length > REJECTED_IN_ANSWER,
    };
  }

  const keyInFlight = () =>
    new ApiError(
      409,
      'idempotency_key_in_flight',
      `an import with this ${IDEMPOTENCY_HEADER} is still running; retry shortly for its answer`,
      [{ path: IDEMPOTENCY_HEADER, message: 'an import with this key is still running' }],
    );

  /**
   * The same key again: the same file (and kind) gets the first import's answer,
   * another file 422. The upload is read through only to compare its hash.
   */
  async function replayEarlier(
    earlier: ImportRow & { requestSha256: string | null },
    kind: ImportKind,
    hash: Hash,
    stream: Readable,
  ) {
    if (earlier.status === 'running' || !earlier.requestSha256) throw keyInFlight();
    for await (const chunk of stream) hash.update(chunk as Buffer);
    if (earlier.kind !== kind || hash.digest('hex') !== earlier.requestSha256)
      throw new ApiError(
        422,
        'idempotency_key_reused',
        `${IDEMPOTENCY_HEADER} was already used for import ${earlier.importId} with a different file; send a new key`,
        [{ path: IDEMPOTENCY_HEADER, message: 'already used with a different file or import kind' }],
      );
    return reply(201, await answer(earlier.importId), { [REPLAYED_HEADER]: 'true' });
  }

  /** Marks the import failed and says why, in the one error shape, pointing at its report. */
  async function failed(importId: string, err: unknown): Promise<unknown> {
    // The message may quote the file (a CSV header with a NUL): kept in a form PostgreSQL stores.
    const message = storableText(err instanceof Error ? err.message : String(err));
    await queries.finish(importId, 'failed', message);
    const progress = await queries.get(importId);
    const where = `import ${importId} stopped after ${progress?.rowsProcessed ?? 0} rows; GET /v1/imports/${importId}`;
    if (err instanceof ImportFileError)
      return ApiError.validation(
        `${message} (${where})`,
        err.fields.length
          ? err.fields.map((f) => ({ path: storableText(f.path), message: storableText(f.message) }))
          : [{ path: 'body', message }],
      );
    if (err instanceof ApiError)
      return new ApiError(err.status, err.code, `${message} (${where})`, err.fields);
    return err; // the error mapping says it (unavailable services) without internals
  }

  /** What the two reads of one import share: their tag, who may read it, and the import they name. */
  const importReport = {
    tag: 'imports',
    roles: ['finance', 'admin', 'auditor'],
    params: z.object({ id: Id }),
  } as const;

  return [
    ...IMPORT_KINDS.map(importRoute),
    defineRoute({
      method: 'GET',
      path: '/v1/imports/:id',
      summary: "An import's status, counts and progress (rows processed), while it runs and after",
      ...importReport,
      response: ImportSchema,
      handler: async ({ params }) => {
        await queries.failAbandoned(params.id);
        return view(orNotFound(await queries.get(params.id), `import ${params.id}`));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/imports/:id/rows',
      summary: "An import's per-row report in file order, optionally one outcome (e.g. rejected), paged",
      ...importReport,
      query: z.object({
        outcome: z.enum(OUTCOMES).optional(),
        afterRow: QueryInt(0).default(0).describe('Rows after this row number'),
        limit: QueryInt(1, 1000).default(100),
      }),
      response: z.object({
        items: z.array(ReportRowSchema),
        next: z.string().nullable().describe('The next page, when there may be one'),
      }),
      handler: async ({ params, query }) => {
        if (!(await queries.get(params.id))) throw ApiError.notFound(`import ${params.id}`);
        const items: ReportRow[] = await queries.listRows(params.id, query);
        const last = items.at(-1);
        const next =
          items.length === query.limit && last
            ? `${reportLink(params.id)}?${new URLSearchParams({
                ...(query.outcome ? { outcome: query.outcome } : {}),
                afterRow: String(last.row),
                limit: String(query.limit),
              })}`
            : null;
        return { items, next };
      },
    }),
  ];
}

/** The upload as it streams, feeding every byte to `hash` on the way. */
function hashing(source: Readable, hash: Hash): Readable {
  const tapped = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  source.on('error', (err) => tapped.destroy(err));
  return source.pipe(tapped);
}
