/**
 * A minimal stand-in for the templates slice's renderer (seam 2, docs/correspondence.md): it
 * renders the shipped template files `templates/<language>/<kind>{.subject,}.liquid` with
 * LiquidJS and the four filters every template may use, in a plain layout. The templates
 * slice's renderer (stored versions, the e-mail layout, inlined styles) replaces this module.
 */
import path from 'node:path';
import { convert } from 'html-to-text';
import { Liquid } from 'liquidjs';
import { escapeHtml, formatDateTime, formatMoney } from '../../domain/format.js';

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

const TEMPLATES = path.resolve(import.meta.dirname, '../../templates');

/** 'YYYY-MM-DD' for people: 2026年3月5日 in zh-CN, 5 March 2026 in English. */
function day(date: unknown, language: string): string {
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return String(date ?? '');
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(language, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    timeZone: 'UTC',
  }).format(Date.UTC(y, m - 1, d));
}

export function createStandInRenderer(opts: { dir?: string; timeZone?: string } = {}): MessageRenderer {
  /** One engine per language: the filters format for it, whatever else renders meanwhile. */
  const engines = new Map<string, Liquid>();
  const engineFor = (language: string) => {
    let engine = engines.get(language);
    if (!engine) {
      engine = new Liquid({ root: opts.dir ?? TEMPLATES, extname: '.liquid', cache: true });
      engine.registerFilter('money', (minor: number, currency: string) =>
        formatMoney(minor, currency, language),
      );
      engine.registerFilter('day', (d: unknown) => day(d, language));
      engine.registerFilter('datetime', (iso: string) =>
        formatDateTime(Date.parse(iso), opts.timeZone ?? 'Asia/Shanghai'),
      );
      engine.registerFilter('percent', (bp: number) => `${(bp / 100).toFixed(bp % 100 === 0 ? 0 : 2)}%`);
      engines.set(language, engine);
    }
    return engine;
  };
  return {
    async render(kind, language, data) {
      const engine = engineFor(language);
      const scope = { ...data, language };
      const [subject, body] = await Promise.all([
        engine.renderFile(`${language}/${kind}.subject.liquid`, scope),
        engine.renderFile(`${language}/${kind}.liquid`, scope),
      ]);
      const title = String(subject).trim();
      const html = `<!doctype html><html lang="${escapeHtml(language)}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
      return {
        subject: title,
        html,
        text: convert(String(body), {
          wordwrap: 100,
          selectors: [{ selector: 'table', format: 'dataTable' }],
        }),
        body: String(body),
        templateVersion: 'shipped',
      };
    },
  };
}
