import { describe, expect, it } from 'vitest';
import { systemPerFile } from '../support/system.js';

let base: string;

systemPerFile({ poolSize: 2 }, (s) => {
  ({ base } = s);
});

describe('/docs', () => {
  it('serves the page, which loads only assets the API serves itself', async () => {
    const page = await fetch(`${base}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<div id="swagger-ui"></div>');
    // Nothing from a CDN: every script and stylesheet is relative to the API.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(refs).toEqual(
      expect.arrayContaining(['/docs/static/swagger-ui.css', '/docs/static/swagger-ui-bundle.js']),
    );
    const expected: Record<string, string> = {
      css: 'text/css; charset=utf-8',
      js: 'application/javascript; charset=utf-8', // as @fastify/static names it
      png: 'image/png',
    };
    for (const ref of refs) {
      const asset = await fetch(new URL(ref, `${base}/docs`));
      expect(asset.status, ref).toBe(200);
      expect(asset.headers.get('content-type'), ref).toBe(expected[ref.split('.').pop() as string]);
      expect((await asset.arrayBuffer()).byteLength, ref).toBeGreaterThan(100);
    }
  });

  it('points Swagger UI at the /openapi.json document with bearer auth and without the online validator', async () => {
    const init = await (await fetch(`${base}/docs/static/swagger-initializer.js`)).text();
    // @fastify/swagger-ui serves the document again beside the page, at /docs/json.
    expect(init).toContain("url: resolveUrl('./json')");
    expect(init).toContain('validatorUrl: null');
    const bundle = await fetch(`${base}/docs/static/swagger-ui-bundle.js`);
    expect(await bundle.text()).toContain('SwaggerUIBundle');
    const shown = await (await fetch(`${base}/docs/json`)).json();
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      components: { securitySchemes: Record<string, { type: string; scheme: string }> };
    };
    expect(shown).toEqual(doc);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('serves nothing else from node_modules', async () => {
    for (const name of [
      'package.json',
      'index.js',
      '..%2Fpackage.json',
      '..%2F..%2Fpg%2Fpackage.json',
      'constructor',
    ]) {
      const res = await fetch(`${base}/docs/static/${name}`);
      expect(res.status, name).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });
});
