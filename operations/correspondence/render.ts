/**
 * A minimal stand-in for the templates slice's renderer (the seam in the shared brief): it reads
 * templates/<language>/<kind>.subject.liquid and <kind>.liquid with liquidjs, wraps the body in a
 * plain page (no company layout) and makes the text part with html-to-text. The lead keeps the
 * templates slice's module at this path; this one only serves the score early warning until then.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { convert } from 'html-to-text';
import { Liquid } from 'liquidjs';
import { formatDate, formatDateTime, formatMoney } from '../../domain/format.js';

export interface RenderedMessage {
  subject: string;
  /** The whole e-mail HTML (layout + body), styles inlined (juice). */
  html: string;
  /** The plain-text part (html-to-text of the body). */
  text: string;
  /** The kind's body fragment before the layout: what a PDF letter prints. */
  body: string;
  /** Which template version rendered it ('shipped' or the stored version). */
  templateVersion: string;
}

export interface MessageRenderer {
  render(kind: string, language: string, data: Record<string, unknown>): Promise<RenderedMessage>;
}

const TEMPLATES = path.resolve(import.meta.dirname, '..', '..', 'templates');

export function createMessageRenderer(root: string = TEMPLATES): MessageRenderer {
  return {
    async render(kind, language, data) {
      const engine = new Liquid({ strictFilters: true });
      engine.registerFilter('money', (minor: number, currency: string) =>
        formatMoney(minor, currency, language),
      );
      engine.registerFilter('day', (d: string) => formatDate(d));
      engine.registerFilter('datetime', (ms: number, tz: string) => formatDateTime(ms, tz ?? 'UTC'));
      engine.registerFilter('percent', (bp: number) => `${(bp / 100).toFixed(bp % 100 === 0 ? 0 : 2)}%`);
      const read = (file: string) => readFile(path.join(root, language, file), 'utf8');
      const ctx = { ...data, language };
      const subject = (await engine.parseAndRender(await read(`${kind}.subject.liquid`), ctx)).trim();
      const body = await engine.parseAndRender(await read(`${kind}.liquid`), ctx);
      const html = `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><title>${subject}</title></head><body>${body}</body></html>`;
      return { subject, html, text: convert(body, { wordwrap: 100 }), body, templateVersion: 'shipped' };
    },
  };
}
