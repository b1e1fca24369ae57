/**
 * `/docs`: Swagger UI on the generated OpenAPI document, served from the
 * swagger-ui-dist package on disk (no CDN: it works offline). The page calls the
 * API it documents; Authorize takes a bearer token (the document declares the scheme).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { z } from 'zod';
import { ApiError } from './errors.js';
import { type AnyRoute, defineRoute, reply } from './http.js';

const DIST = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The only files served, by name: nothing else under node_modules is reachable. */
const ASSETS = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
  ['favicon-32x32.png', 'image/png'],
  ['favicon-16x16.png', 'image/png'],
]);

// Relative URLs: the page at /docs loads docs/assets/… and openapi.json from the same base,
// so it also works behind a proxy that mounts the API under a prefix.
const PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>creditflow API</title>
    <link rel="stylesheet" type="text/css" href="docs/assets/swagger-ui.css">
    <link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="docs/assets/favicon-16x16.png" sizes="16x16">
    <style>body { margin: 0; }</style>
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="docs/assets/swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="docs/assets/initializer.js" charset="UTF-8"></script>
  </body>
</html>
`;

// A file of its own rather than an inline script, so a strict Content-Security-Policy can allow it.
const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: new URL('openapi.json', document.baseURI).href,
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    // No call to swagger.io's online validator: the machine may be offline, and the document is ours.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
};
`;

export function docsRoutes(): AnyRoute[] {
  const cache = new Map<string, Buffer>();
  return [
    defineRoute({
      method: 'GET',
      path: '/docs',
      summary: 'Interactive API documentation (Swagger UI) on this OpenAPI document',
      tag: 'meta',
      response: z.string(),
      handler: async () =>
        reply(200, PAGE, {
          'content-type': 'text/html; charset=utf-8',
          // Our scripts only; Swagger UI styles itself inline and draws icons as data: images.
          'content-security-policy':
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        }),
    }),
    defineRoute({
      method: 'GET',
      path: '/docs/assets/:file',
      summary: "The documentation page's scripts, styles and icons",
      tag: 'meta',
      params: z.object({ file: z.string() }),
      response: z.union([z.string(), z.instanceof(Buffer)]),
      handler: async ({ params }) => {
        if (params.file === 'initializer.js')
          return reply(200, INITIALIZER, { 'content-type': 'text/javascript; charset=utf-8' });
        const type = ASSETS.get(params.file);
        if (!type) throw ApiError.notFound(`asset ${params.file}`);
        let content = cache.get(params.file);
        if (!content) {
          content = await readFile(path.join(DIST, params.file));
          cache.set(params.file, content);
        }
        return reply(200, content, { 'content-type': type, 'cache-control': 'public, max-age=3600' });
      },
    }),
  ];
}
