/**
 * What protects the HTTP server from its clients: security headers, answers no one
 * caches, bounded time to send a request (the limit on failed authentication is
 * api/plugins/authentication.ts's).
 * docs/security.md explains each setting.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import helmet from '@fastify/helmet';
import type { FastifyHttpOptions, FastifyInstance } from 'fastify';
import type { Config } from '../infra/config.js';
import { ApiError, errorBody } from './errors.js';

export type HttpLimits = Config['http'];

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  uploadStallMs: 30_000,
  idleTimeoutMs: 120_000,
  authFailuresPerMinute: 20,
};

/** The status a broken or slow connection is answered with, before any route is chosen. */
function clientErrorStatus(err: NodeJS.ErrnoException): number {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (err.code === 'HPE_HEADER_OVERFLOW') return 431;
  return 400;
}

/**
 * Node and fastify settings: the request line and headers must arrive within
 * `headersTimeoutMs` (Node checks at least every second, not its default 30 s), and a
 * connection idle that long is closed. Node's own `requestTimeout` stays off: it is one
 * figure for every route and would cut a large import; bodies are bounded per route below.
 */
export function serverOptions(limits: HttpLimits): FastifyHttpOptions<http.Server> {
  return {
    connectionTimeout: limits.idleTimeoutMs,
    requestTimeout: 0,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 2))),
    },
    // A request Node refuses before fastify sees it (slow or oversized headers, bad HTTP)
    // still gets the one error shape.
    clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket) {
      if (socket.writable && !socket.destroyed) {
        const status = clientErrorStatus(err);
        const code =
          status === 408 ? 'request_timeout' : status === 431 ? 'headers_too_large' : 'bad_request';
        const message =
          status === 408
            ? `the request's headers did not arrive within ${limits.headersTimeoutMs / 1000} s`
            : status === 431
              ? 'the request headers are too large'
              : 'malformed HTTP request';
        const body = JSON.stringify(errorBody(new ApiError(status, code, message)));
        socket.end(
          `HTTP/1.1 ${status} ${status === 408 ? 'Request Timeout' : status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
            'Content-Type: application/json; charset=utf-8\r\n' +
            `Content-Length: ${Buffer.byteLength(body)}\r\n` +
            'Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n' +
            body,
        );
      }
      socket.destroySoon();
    },
  };
}

/**
 * Headers on every answer and the per-request deadline. Call before the routes are
 * registered, so their hooks follow these.
 */
export async function installProtection(app: FastifyInstance, limits: HttpLimits): Promise<void> {
  // nosniff, frame protection (X-Frame-Options DENY and frame-ancestors 'none'), no referrer.
  // The API answers JSON, so the default CSP allows nothing; the two HTML pages (the
  // dashboard and /docs) send their own. HSTS is the TLS terminator's to send.
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    hsts: false,
  });
  // API answers are per caller and change with every credit fact: nothing may keep them.
  // Static files (the dashboard's and /docs' scripts) say their own cache policy.
  app.addHook('onSend', async (_req, res, payload) => {
    if (!res.hasHeader('cache-control')) res.header('cache-control', 'no-store');
    return payload;
  });
  // A body that has not arrived `requestTimeoutMs` after its headers is not waited for.
  // Streamed uploads (imports) are bounded by a stall limit instead (api/plugins/streamed-bodies.ts).
  app.addHook('onRequest', async (req, res) => {
    if (req.raw.complete) return;
    if (req.routeOptions.config.streamBody) return;
    const timer = setTimeout(() => {
      if (req.raw.complete || res.sent) return;
      // Answered through the one error mapping (api/plugins/errors.ts), which closes the connection.
      res.send(
        new ApiError(
          408,
          'request_timeout',
          `the request body did not arrive within ${limits.requestTimeoutMs / 1000} s`,
        ),
      );
    }, limits.requestTimeoutMs);
    const clear = () => clearTimeout(timer);
    req.raw.once('end', clear);
    res.raw.once('close', clear);
  });
}
