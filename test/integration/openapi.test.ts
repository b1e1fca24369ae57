/**
 * The OpenAPI document says what the API really answers (statuses, content types, formats),
 * and the router's own answers — a method a path does not serve, a malformed or over-long
 * path parameter — come in the one error shape. test/integration/schemathesis.test.ts
 * checks the whole document against the running system; this file pins the cases it found.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPI } from 'openapi-types';
import { describe, expect, it } from 'vitest';
import { MAX_PARAM_LENGTH } from '../../api/http.js';
import { systemPerFile } from '../support/system.js';

interface Operation {
  parameters?: { name: string; in: string; schema: Record<string, unknown> }[];
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
}
let doc: { paths: Record<string, Record<string, Operation>> };

const system = systemPerFile({ poolSize: 2 }, async () => {
  doc = (await (await fetch(`${system.base}/openapi.json`)).json()) as typeof doc;
});

const op = (path: string, method: string) => {
  const o = doc.paths[path]?.[method];
  if (!o) throw new Error(`no ${method} ${path} in the document`);
  return o;
};
const param = (o: Operation, name: string) => o.parameters?.find((p) => p.name === name)?.schema;

describe('the OpenAPI document', () => {
  it('is valid OpenAPI, as an independent validator (@apidevtools/swagger-parser) reads it', async () => {
    const served = (await (await fetch(`${system.base}/openapi.json`)).json()) as OpenAPI.Document;
    // validate() resolves the $refs in place: hand it a copy.
    const valid = await SwaggerParser.validate(structuredClone(served));
    expect(Object.keys(valid.paths ?? {})).toEqual(Object.keys(doc.paths));
  });

  it('documents both answers of an upsert: 201 created and 200 already there', () => {
    for (const path of ['/v1/credit-applications', '/v1/counterparties', '/v1/salespeople']) {
      const responses = op(path, 'post').responses;
      expect(Object.keys(responses), path).toEqual(expect.arrayContaining(['200', '201']));
      expect(responses['200']?.content?.['application/json'], path).toEqual(
        responses['201']?.content?.['application/json'],
      );
    }
  });

  it('documents the CSV answers as text/csv, and JSON without the CSV string', () => {
    for (const [path, method] of [
      ['/v1/reports/aging', 'get'],
      ['/v1/reports/dso', 'get'],
      ['/v1/reports/grades', 'get'],
      ['/v1/reports/limit-usage', 'get'],
      ['/v1/reports/collections', 'get'],
      ['/v1/salesperson-assessments/{month}', 'get'],
    ] as const) {
      const content = op(path, method).responses['200']?.content ?? {};
      expect(Object.keys(content), path).toEqual(['application/json', 'text/csv']);
      expect(content['application/json']?.schema.type, path).toBe('object');
    }
  });

  it('states every error status in the one error shape, and no catch-all', () => {
    const o = op('/v1/receivables/{id}/payments', 'post');
    expect(Object.keys(o.responses).sort()).toEqual(
      [
        '200',
        '400',
        '401',
        '403',
        '404',
        '408',
        '409',
        '413',
        '414',
        '415',
        '422',
        '429',
        '503',
        '504',
      ].sort(),
    );
    for (const [status, r] of Object.entries(o.responses))
      if (Number(status) >= 400)
        expect(r.content?.['application/json']?.schema, status).toEqual({
          $ref: '#/components/schemas/Error',
        });
    expect(Object.keys(op('/v1/credit-records/verification', 'get').responses).sort()).toEqual([
      '200',
      '401',
      '403',
      '429',
      '503',
      '504',
    ]);
  });

  it('gives dates, months and quarters their formats', () => {
    expect(param(op('/v1/reports/aging', 'get'), 'asOf')).toMatchObject({
      format: 'date',
      pattern: '^[1-9]\\d{3}-\\d{2}-\\d{2}$',
    });
    expect(param(op('/v1/reports/dso', 'get'), 'to')).toMatchObject({
      pattern: '^[1-9]\\d{3}-(0[1-9]|1[0-2])$',
    });
    expect(param(op('/v1/salesperson-reviews/{quarter}', 'post'), 'quarter')).toMatchObject({
      pattern: '^[1-9]\\d{3}-Q[1-4]$',
    });
  });

  it('names the webhook events, and the Idempotency-Key as the API reads it', () => {
    const o = op('/v1/webhooks', 'post') as Operation & {
      requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> };
    };
    expect(o.requestBody.content['application/json']?.schema.properties.events).toMatchObject({
      anyOf: [{ const: 'all' }, { items: { enum: expect.arrayContaining(['receivable.reminder']) } }],
    });
    const key = new RegExp(param(o, 'Idempotency-Key')?.pattern as string);
    expect(['a', 'a b', '~'].map((k) => key.test(k))).toEqual([true, true, true]);
    // HTTP trims a header's edges: a key of spaces arrives empty.
    expect([' ', ' a', 'a '].map((k) => key.test(k))).toEqual([false, false, false]);
  });
});

describe('dates, months and quarters', () => {
  it('refuses years before 1000 as 400 naming the field, not a 500 from the calendar arithmetic', async () => {
    for (const [method, url, field] of [
      ['GET', '/v1/reports/dso?to=0000-01', 'query.to'],
      ['GET', '/v1/reports/collections?from=0999-12&to=2025-01', 'query.from'],
      ['GET', '/v1/reports/aging?asOf=0100-01-01', 'query.asOf'],
      ['POST', '/v1/salesperson-reviews/0000-Q1', 'params.quarter'],
      ['POST', '/v1/rating-cycles/quarter/0000-Q1', 'params.quarter'],
    ] as const) {
      const res = await system.api.inject({
        method,
        url,
        headers: await system.auth.headers('finance'),
        ...(method === 'POST' ? { payload: {} } : {}),
      });
      expect(res.statusCode, url).toBe(400);
      expect(
        res.json().error.fields?.map((f: { path: string }) => f.path),
        url,
      ).toEqual([field]);
    }
  });
});

describe('what the router answers itself', () => {
  const inject = (method: string, url: string) =>
    system.api.inject({ method: method as 'GET', url, headers: { 'content-type': 'text/plain' } });

  it('answers 405 with Allow for a method a known path does not serve', async () => {
    for (const [method, url, allow] of [
      ['TRACE', '/v1/counterparties', 'POST'],
      ['DELETE', '/v1/receivables/R-1', 'GET, HEAD'],
      ['QUERY', '/v1/imports/abc/rows?afterRow=1', 'GET, HEAD'],
      ['PATCH', '/v1/webhooks', 'GET, HEAD, POST'],
    ] as const) {
      const res = await inject(method, url);
      expect(res.statusCode, `${method} ${url}`).toBe(405);
      expect(res.headers.allow, `${method} ${url}`).toBe(allow);
      expect(res.json().error, `${method} ${url}`).toMatchObject({ code: 'method_not_allowed' });
    }
  });

  it('still answers 404 for a path it does not serve at all', async () => {
    const res = await inject('TRACE', '/v1/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'not_found' });
  });

  it('answers a malformed or over-long path parameter in the one error shape', async () => {
    const auth = await system.auth.headers('finance');
    const long = await system.api.inject({ url: `/v1/receivables/${'x'.repeat(150)}`, headers: auth });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.fields).toEqual([{ path: 'params.id', message: expect.any(String) }]);
    const tooLong = await system.api.inject({
      url: `/v1/receivables/${'x'.repeat(MAX_PARAM_LENGTH + 1)}`,
      headers: auth,
    });
    expect(tooLong.statusCode).toBe(414);
    expect(tooLong.json()).toEqual({ error: { code: 'uri_too_long', message: expect.any(String) } });
    const bad = await system.api.inject({ url: '/v1/receivables/%E0%A4%A', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'validation_failed' });
  });
});
