/**
 * Streamed request bodies: a file of records (CSV with a header row, NDJSON or a JSON array)
 * handed to its route as a stream, never buffered whole. Streamed routes live in their own
 * context, where each accepted content type passes the body through (fastify's own JSON
 * parser would buffer it), limited in size and in how long the client may stall.
 */
import { Readable, Transform } from 'node:stream';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { ZodType } from 'zod';
import { ApiError } from '../errors.js';

export const STREAM_CONTENT_TYPES = ['text/csv', 'application/x-ndjson', 'application/json'] as const;
export type StreamContentType = (typeof STREAM_CONTENT_TYPES)[number];

/**
 * A streamed body: records as CSV (header row), NDJSON or a JSON array. The handler
 * validates each with `record`, which is also what the OpenAPI document shows.
 */
export interface StreamBody {
  record: ZodType;
  contentTypes: readonly StreamContentType[];
  /** The most bytes the body may have. */
  limitBytes: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on streamed routes (their body parser, timeouts, idempotency and error mapping read it). */
    streamBody?: StreamBody;
  }
}

export interface Upload {
  contentType: StreamContentType;
  stream: Readable;
}

/** Registers streamed `routes` in a context of their own, where each accepted content type arrives as a stream. */
export async function registerStreamedRoutes(
  app: FastifyInstance,
  routes: RouteOptions[],
  stallMs: number,
): Promise<void> {
  await app.register(async (ctx) => {
    ctx.removeAllContentTypeParsers();
    const types = [...new Set(routes.flatMap((r) => r.config?.streamBody?.contentTypes ?? []))];
    ctx.addContentTypeParser(types, (req, payload, done) =>
      done(null, limitedBody(payload, req.routeOptions.bodyLimit ?? 0, stallMs)),
    );
    // A body the handler did not read to its end (a refused caller, a failed file): the
    // answer goes out and the connection closes, dropping the rest.
    ctx.addHook('onSend', async (req, res) => {
      if (!req.raw.readableEnded) {
        res.header('connection', 'close');
        req.raw.resume();
      }
    });
    for (const route of routes) ctx.route(route);
  });
}
/**
 * The request body as a stream that fails past `limit` bytes (fastify does not limit
 * a streamed body), and that the handler may stop reading early without destroying
 * the request, so the connection still carries the answer. It also fails when the
 * client sends nothing for `stallMs` while we wait for it: a large upload may take as
 * long as it needs, a stalled one does not hold the request (time the server spends
 * applying rows, with the body paused, is not the client's).
 */
function limitedBody(source: Readable, limit: number, stallMs: number): Readable {
  let received = 0;
  let lastProgress = Date.now();
  const stall = setInterval(
    () => {
      if (source.readableEnded || body.destroyed) return clearInterval(stall);
      if (source.readableFlowing !== true) lastProgress = Date.now();
      else if (Date.now() - lastProgress >= stallMs) {
        clearInterval(stall);
        body.destroy(new ApiError(408, 'request_timeout', `the upload sent nothing for ${stallMs / 1000} s`));
      }
    },
    Math.max(20, Math.min(1_000, Math.floor(stallMs / 4))),
  );
  stall.unref();
  const body = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      lastProgress = Date.now();
      received += chunk.length;
      if (received > limit) done(new ApiError(413, 'payload_too_large', `the body is over ${limit} bytes`));
      else done(null, chunk);
    },
  });
  // Its reader sees these errors; the empty listener keeps an unread body's from crashing the process.
  body.on('error', () => {});
  source.on('error', (err) => body.destroy(err));
  source.on('close', () => {
    if (!source.readableEnded && !body.destroyed)
      body.destroy(new ApiError(400, 'upload_interrupted', 'the upload ended before the body was complete'));
  });
  source.pipe(body);
  return body;
}

/** The streamed body of a `streamBody` route, in a content type it accepts. */
export function streamedUpload(spec: StreamBody, req: FastifyRequest): Upload {
  const accepted = spec.contentTypes;
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() as StreamContentType;
  if (!(req.body instanceof Readable) || !accepted.includes(type))
    throw ApiError.validation(`send the file as the body, as ${accepted.join(', ')}`, [
      { path: 'body', message: `required, as ${accepted.join(', ')}` },
    ]);
  return { contentType: type, stream: req.body };
}

/** A streamed body in OpenAPI: each content type with the JSON schema of one record. */
export function streamedRequestBody(spec: StreamBody, record: { properties?: Record<string, unknown> }) {
  const columns = Object.keys(record.properties ?? {}).join(',');
  const doc: Record<StreamContentType, unknown> = {
    'text/csv': {
      schema: {
        type: 'string',
        description: `UTF-8 CSV, a header row naming the columns (any order, optional ones may be left out), then one record per row; an empty cell is an absent field. Columns: ${columns}. Each record as in the NDJSON schema.`,
      },
    },
    'application/x-ndjson': {
      schema: { ...record, description: 'one JSON object per line, each of this shape' },
    },
    'application/json': { schema: { type: 'array', items: record } },
  };
  return {
    required: true,
    description: `Up to ${spec.limitBytes} bytes, read as it arrives.`,
    content: Object.fromEntries(spec.contentTypes.map((t) => [t, doc[t]])),
  };
}
