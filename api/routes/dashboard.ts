/**
 * The reports dashboard: a static page and its scripts, Chart.js included, served from this API so it
 * works offline. The page holds no data; it calls /v1/reports/* with the reader's own token.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { z } from 'zod';
import { ApiError } from '../errors.js';
import { type AnyRoute, defineRoute, reply } from '../http.js';

const DIR = path.resolve(import.meta.dirname, '..', 'dashboard');
// chart.js exports no path to its UMD build; find it next to the package's main file.
const CHART_JS = path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js');
const FORMAT_JS = path.resolve(import.meta.dirname, '..', '..', 'domain', 'format.js');

const HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
};
// Only our own scripts and styles, and calls to this API.
const PAGE_HEADERS = {
  ...HEADERS,
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

export function dashboardRoutes(): AnyRoute[] {
  // Read once at startup: a missing file fails the start, not the first visitor.
  const page = readFileSync(path.join(DIR, 'index.html'), 'utf8');
  const assets: Record<string, { body: string; type: string }> = {
    'dashboard.js': { body: readFileSync(path.join(DIR, 'dashboard.js'), 'utf8'), type: 'text/javascript' },
    'dashboard.css': { body: readFileSync(path.join(DIR, 'dashboard.css'), 'utf8'), type: 'text/css' },
    'chart.umd.js': { body: readFileSync(CHART_JS, 'utf8'), type: 'text/javascript' },
    // The one money and date formatter, the same file the server uses: the dashboard imports it.
    'format.js': { body: readFileSync(FORMAT_JS, 'utf8'), type: 'text/javascript' },
  };
  return [
    defineRoute({
      method: 'GET',
      path: '/dashboard',
      summary: 'The reports dashboard (HTML); it asks for an API token or takes #token=… in the address',
      tag: 'reports',
      public: true,
      response: z.string(),
      handler: async () => reply(200, page, PAGE_HEADERS),
    }),
    defineRoute({
      method: 'GET',
      path: '/dashboard/:file',
      summary: "The dashboard's script, style sheet and Chart.js",
      tag: 'reports',
      public: true,
      params: z.object({ file: z.string() }),
      response: z.string(),
      handler: async ({ params }) => {
        const asset = Object.hasOwn(assets, params.file) ? assets[params.file] : undefined;
        if (!asset) throw ApiError.notFound(`dashboard file ${params.file}`);
        return reply(200, asset.body, { ...HEADERS, 'content-type': `${asset.type}; charset=utf-8` });
      },
    }),
  ];
}
