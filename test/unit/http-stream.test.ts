/** Streamed request bodies (`streamBody` routes): passed through unparsed, limited, documented. */
import { Readable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineRoute, registerRoutes } from '../../api/http.js';
import { authentication } from '../../api/plugins/authentication.js';
import { errorMapping } from '../../api/plugins/errors.js';
import { openApi } from '../../api/plugins/openapi.js';
import { roles } from '../../api/plugins/roles.js';
import { validation } from '../../api/plugins/validation.js';

const Record = z.strictObject({ id: z.string(), amountMinor: z.number().int() });

const streamed = defineRoute({
  method: 'POST',
  path: '/v1/imports/counterparties',
  summary: 'count the bytes',
  tag: 'test',
  roles: ['finance', 'admin'],
  streamBody: { record: Record, contentTypes: ['text/csv', 'application/json'], limitBytes: 100 },
  response: z.object({ bytes: z.number(), contentType: z.string() }),
  handler: async ({ upload }) => {
    let bytes = 0;
    for await (const chunk of upload?.stream ?? []) bytes += (chunk as Buffer).length;
    return { bytes, contentType: upload?.contentType ?? '' };
  },
});
const parsed = defineRoute({
  method: 'POST',
  path: '/v1/salespeople',
  summary: 'echo',
  tag: 'test',
  roles: ['finance', 'admin'],
  body: z.object({ id: z.string() }),
  response: z.object({ id: z.string() }),
  handler: async ({ body }) => body,
});

async function app() {
  const a = Fastify();
  await a.register(errorMapping);
  await a.register(validation);
  await a.register(authentication, {
    failuresPerMinute: 20,
    authenticate: async () => ({
      credentialId: 'c',
      name: 'tester',
      displayName: 'tester',
      role: 'finance',
      salespersonId: null,
    }),
  });
  await a.register(openApi);
  await a.register(roles);
  await registerRoutes(a, [streamed, parsed]);
  await a.ready();
  return a;
}

const post = async (url: string, contentType: string | undefined, payload?: string | Readable) => {
  const a = await app();
  const res = await a.inject({
    method: 'POST',
    url,
    headers: { authorization: 'Bearer x', ...(contentType ? { 'content-type': contentType } : {}) },
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: res.statusCode, body: res.json() };
};

describe('streamed bodies', () => {
  it('reach the handler as a stream, unparsed, in any accepted type (JSON too)', async () => {
    expect(await post('/v1/imports/counterparties', 'application/json', '[{"id": not json')).toEqual({
      status: 200,
      body: { bytes: 16, contentType: 'application/json' },
    });
    const chunks = Readable.from(['id,amountMinor\n', 'a,1\n', 'b,2\n']);
    expect(await post('/v1/imports/counterparties', 'text/csv; charset=utf-8', chunks)).toEqual({
      status: 200,
      body: { bytes: 23, contentType: 'text/csv' },
    });
  });

  it('past the route limit the reader fails with 413', async () => {
    const res = await post('/v1/imports/counterparties', 'text/csv', 'x'.repeat(101));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('another type is 415 naming the accepted ones; no body is 400 naming the body', async () => {
    const other = await post('/v1/imports/counterparties', 'text/plain', 'hello');
    expect(other).toMatchObject({ status: 415 });
    expect(other.body.error.message).toBe('send the body as text/csv, application/json');
    const none = await post('/v1/imports/counterparties', undefined);
    expect(none).toMatchObject({ status: 400, body: { error: { fields: [{ path: 'body' }] } } });
  });

  it('other routes still parse JSON as before', async () => {
    expect(await post('/v1/salespeople', 'application/json', '{"id":"S-1"}')).toEqual({
      status: 200,
      body: { id: 'S-1' },
    });
  });

  it('OpenAPI shows each accepted type with the record schema', async () => {
    const doc = (await app()).swagger() as { paths: Record<string, Record<string, unknown>> };
    const post = doc.paths['/v1/imports/counterparties']?.post as { requestBody: { content: object } };
    const body = post.requestBody;
    expect(Object.keys(body.content)).toEqual(['text/csv', 'application/json']);
    expect(body).toMatchObject({
      content: {
        'text/csv': {
          schema: { type: 'string', description: expect.stringContaining('Columns: id,amountMinor') },
        },
        'application/json': {
          schema: { type: 'array', items: { required: ['id', 'amountMinor'], additionalProperties: false } },
        },
      },
    });
  });
});
