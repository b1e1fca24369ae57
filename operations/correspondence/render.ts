/**
 * STAND-IN for the templates slice's renderer (seam 2): renders the shipped template files in
 * templates/ with LiquidJS, so the letters slice can render its letters before the merge. The lead
 * keeps the templates slice's module at this path; nothing here is meant to survive the merge.
 */
import path from 'node:path';
import { convert } from 'html-to-text';
import { Liquid } from 'liquidjs';
import { formatMoney } from '../../domain/format.js';

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

/** 'YYYY-MM-DD' for people: 2026年4月30日 in Chinese, 30 April 2026 otherwise. */
export function dayFor(date: string, language: string): string {
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return date;
  if (language.startsWith('zh')) return `${y}年${m}月${d}日`;
  const months = [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ];
  return `${d} ${months[m - 1]} ${y}`;
}

export function createMessageRenderer(opts: { templatesDir?: string } = {}): MessageRenderer {
  const root = opts.templatesDir ?? path.resolve(import.meta.dirname, '../../templates');
  const liquid = new Liquid({ root, extname: '.liquid', cache: true, strictFilters: true });
  liquid.registerFilter(
    'money',
    function (this: { context: { get(p: string[]): unknown } }, minor: number, currency: string) {
      const language = String(this.context.get(['language']) ?? 'zh-CN');
      return formatMoney(minor, currency, language);
    },
  );
  liquid.registerFilter('day', function (this: { context: { get(p: string[]): unknown } }, date: string) {
    return typeof date === 'string' ? dayFor(date, String(this.context.get(['language']) ?? 'zh-CN')) : '';
  });
  liquid.registerFilter('percent', (bp: number) => `${(bp / 100).toFixed(2)}%`);
  return {
    async render(kind, language, data) {
      const scope = { ...data, language };
      const [subject, body] = await Promise.all([
        liquid.renderFile(`${language}/${kind}.subject.liquid`, scope),
        liquid.renderFile(`${language}/${kind}.liquid`, scope),
      ]);
      return {
        subject: String(subject).trim(),
        html: `<!doctype html><html><body>${body}</body></html>`,
        text: convert(String(body), { wordwrap: 100 }),
        body: String(body),
        templateVersion: 'shipped',
      };
    },
  };
}
