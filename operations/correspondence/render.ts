/**
 * The one renderer of everything creditflow writes to people (docs/templates.md): a kind's template in a
 * language — the version in force in PostgreSQL, else the shipped file under templates/ — rendered by
 * LiquidJS with the money, date and percentage filters of the one formatter (domain/format.js), set in
 * the e-mail layout (templates/layouts/email.liquid), its styles inlined by juice, and a plain-text part
 * made from the body by html-to-text.
 *
 * LiquidJS is set up for templates end users edit: every output is HTML-escaped, an unknown filter is an
 * error, no tag reads a file (include, render and layout are refused), and parsing and rendering are
 * limited in length, time and memory.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convert, type HtmlToTextOptions } from 'html-to-text';
import juice from 'juice';
import { Liquid, type Template } from 'liquidjs';
import { addDays } from '../../domain/calendar.js';
import {
  escapeHtml,
  formatDate,
  formatDateTime,
  formatDays,
  formatLetterDate,
  formatMoney,
  formatPercent,
} from '../../domain/format.js';
import { DEFAULT_LANGUAGE, kindOf } from './kinds.js';

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

/** One template of a kind in a language: its subject line and its body (an HTML fragment). */
export interface TemplateText {
  subject: string;
  body: string;
}

/** A template version: 'shipped' (the files) or the stored version's number. */
export interface TemplateVersion extends TemplateText {
  version: string;
}

/** Where stored versions come from (store/templates.ts): the version in force of a kind in a language. */
export interface StoredTemplates {
  inForce(kind: string, language: string): Promise<TemplateVersion | undefined>;
}

/** The shipped templates' folder: templates/ at the repository's root. */
export const TEMPLATES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates');

/** A template that cannot be parsed or names something the kind does not offer (→ 422 at the API). */
export class TemplateError extends Error {
  constructor(
    message: string,
    /** 'subject' or 'body'. */
    readonly field: 'subject' | 'body',
    /** The template line (1-based), when known. */
    readonly line?: number,
  ) {
    super(message);
  }
}

/** No kind of that name, or no template of it in the language nor in the default language. */
export class UnknownTemplate extends Error {}

// ---------------------------------------------------------------------------------------------------------
// LiquidJS for end users

const LIMITS = {
  /** Characters a template may have. */
  parseLimit: 200_000,
  /** Milliseconds one render may take. */
  renderLimit: 2_000,
  /** Roughly, the bytes of strings and arrays one render may build. */
  memoryLimit: 20_000_000,
};

/** Reads no file: templates come from this module, never through a Liquid tag. */
const NO_FILES = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (f: string) => {
    throw new Error(`templates may not read files (${f})`);
  },
  readFileSync: (f: string) => {
    throw new Error(`templates may not read files (${f})`);
  },
  resolve: (_root: string, file: string) => file,
  sep: '/',
  contains: async () => false,
  containsSync: () => false,
};

const REFUSED_TAGS = ['include', 'render', 'layout'];

const isWebUrl = (url: string): boolean => /^https?:\/\/[^\s]+$/i.test(url);
const isSimpleEmail = (email: string): boolean => /^[^\s@<>"'?&]+@[^\s@<>"'?&]+$/.test(email);

/** The separator between a label and its value in the language: '：' in Chinese, ': ' otherwise. */
export const colonOf = (language: string): string => (/^zh(-|$)/i.test(language) ? '：' : ': ');

function languageOf(ctx: { getAll(): unknown }): string {
  const all = ctx.getAll() as { language?: unknown };
  return typeof all.language === 'string' ? all.language : DEFAULT_LANGUAGE;
}

const asInteger = (v: unknown): number | bigint => {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return BigInt(v.trim());
  return Number(v);
};

/** A LiquidJS engine with the formatter's filters; `html` escapes every output (bodies), else plain (subjects). */
function engine(html: boolean): Liquid {
  const liquid = new Liquid({
    ...LIMITS,
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    cache: false,
    fs: NO_FILES,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    ...(html ? { outputEscape: (v: unknown) => escapeHtml(String(v ?? '')) } : {}),
  });
  for (const tag of REFUSED_TAGS)
    liquid.registerTag(tag, {
      parse() {
        throw new Error(`the ${tag} tag is not allowed in a template`);
      },
      *render() {},
    });
  liquid.registerFilter('money', function (this: { context: { getAll(): unknown } }, minor, currency) {
    if (minor === undefined || minor === null || minor === '') return '';
    return formatMoney(asInteger(minor), String(currency), languageOf(this.context));
  });
  liquid.registerFilter('percent', function (this: { context: { getAll(): unknown } }, bp) {
    if (bp === undefined || bp === null || bp === '') return '';
    return formatPercent(Number(bp), languageOf(this.context));
  });
  liquid.registerFilter('days', function (this: { context: { getAll(): unknown } }, n) {
    if (n === undefined || n === null || n === '') return '';
    return formatDays(Number(n), languageOf(this.context));
  });
  const timeZoneOf = (ctx: { getAll(): unknown }, given: unknown): string => {
    if (typeof given === 'string' && given) return given;
    const all = ctx.getAll() as { timeZone?: unknown };
    return typeof all.timeZone === 'string' ? all.timeZone : 'Asia/Shanghai';
  };
  liquid.registerFilter('day', function (this: { context: { getAll(): unknown } }, value, timeZone) {
    if (value === undefined || value === null || value === '') return '';
    if (typeof value === 'number') return formatDate(value, timeZoneOf(this.context, timeZone));
    return formatDate(String(value));
  });
  // A letter dates itself in words (2026年4月30日, 30 April 2026); everything else reads YYYY-MM-DD.
  liquid.registerFilter('letter_day', function (this: { context: { getAll(): unknown } }, value) {
    if (value === undefined || value === null || value === '') return '';
    return formatLetterDate(String(value), languageOf(this.context));
  });
  liquid.registerFilter('datetime', function (this: { context: { getAll(): unknown } }, value, timeZone) {
    if (value === undefined || value === null || value === '') return '';
    const ms = typeof value === 'number' ? value : Date.parse(String(value));
    if (Number.isNaN(ms)) return String(value); // already written for people ('2026-11-04 09:00')
    return formatDateTime(ms, timeZoneOf(this.context, timeZone));
  });
  liquid.registerFilter('add_days', (date, n) =>
    date === undefined || date === null || date === '' ? '' : addDays(String(date), Number(n)),
  );
  // A link the template cannot get wrong: an http(s) address as a link, anything else as text.
  liquid.registerFilter('action_link', {
    raw: true,
    handler(this: { context: { getAll(): unknown } }, url, label) {
      const u = url === undefined || url === null ? '' : String(url);
      const l = String(label ?? '');
      if (u === '') return escapeHtml(l);
      if (!html) return `${l}${colonOf(languageOf(this.context))}${u}`;
      return isWebUrl(u)
        ? `<a class="button" href="${escapeHtml(u)}">${escapeHtml(l)}</a>`
        : `${escapeHtml(l)}${escapeHtml(colonOf(languageOf(this.context)))}${escapeHtml(u)}`;
    },
  });
  liquid.registerFilter('mailto', {
    raw: true,
    handler(email) {
      const e = email === undefined || email === null ? '' : String(email);
      if (!html) return e;
      return isSimpleEmail(e) ? `<a href="mailto:${escapeHtml(e)}">${escapeHtml(e)}</a>` : escapeHtml(e);
    },
  });
  return liquid;
}

/** Inline the layout's styles, nothing else: e-mail clients read the style attributes. */
const JUICE = {
  removeStyleTags: true,
  applyWidthAttributes: false,
  applyHeightAttributes: false,
  applyAttributesTableElements: false,
  inlinePseudoElements: false,
  preserveMediaQueries: false,
  preserveFontFaces: false,
  preserveKeyFrames: false,
  preservePseudos: false,
  resolveCSSVariables: false,
  insertPreservedExtraCss: false,
};

/** The filters every template may use (besides LiquidJS's own). */
export const CREDITFLOW_FILTERS = [
  'money',
  'percent',
  'days',
  'day',
  'letter_day',
  'datetime',
  'add_days',
  'action_link',
  'mailto',
] as const;

const htmlEngine = engine(true);
const textEngine = engine(false);

function lineOf(err: unknown): number | undefined {
  const e = err as { token?: { getPosition?: () => [number, number] }; message?: string };
  try {
    const pos = e.token?.getPosition?.();
    if (pos) return pos[0];
  } catch {
    // fall through to the message
  }
  const m = /line:(\d+)/.exec(String(e.message ?? ''));
  return m ? Number(m[1]) : undefined;
}

/** Parsed subject and body of a template; a TemplateError naming the field and line when one fails. */
export function parseTemplate(t: TemplateText): { subject: Template[]; body: Template[] } {
  const parse = (field: 'subject' | 'body', liquid: Liquid, src: string): Template[] => {
    try {
      return liquid.parse(src);
    } catch (err) {
      const line = lineOf(err);
      throw new TemplateError(`${field}: ${(err as Error).message}`, field, line);
    }
  };
  return { subject: parse('subject', textEngine, t.subject), body: parse('body', htmlEngine, t.body) };
}

/** Every variable path the template reads from its data ('contact.name', 'items'), subject and body. */
export function variablesOf(parsed: {
  subject: Template[];
  body: Template[];
}): { field: 'subject' | 'body'; path: (string | number)[] }[] {
  const out: { field: 'subject' | 'body'; path: (string | number)[] }[] = [];
  for (const field of ['subject', 'body'] as const)
    for (const segments of htmlEngine.globalVariableSegmentsSync(parsed[field]))
      out.push({ field, path: segments as (string | number)[] });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Plain text

function textOf(node: { type?: string; data?: string; children?: unknown[] }): string {
  if (node.type === 'text') return node.data ?? '';
  return (node.children ?? []).map((c) => textOf(c as typeof node)).join('');
}

type Elem = { type?: string; name?: string; attribs?: Record<string, string>; children?: Elem[] };
type Builder = {
  openBlock(o: { leadingLineBreaks?: number }): void;
  closeBlock(o: { trailingLineBreaks?: number }): void;
  addInline(s: string, o?: { noWordTransform?: boolean }): void;
  addLiteral(s: string): void;
  addLineBreak(): void;
};

const textOptions = new Map<string, HtmlToTextOptions>();
function textOptionsFor(language: string): HtmlToTextOptions {
  let o = textOptions.get(language);
  if (o) return o;
  const colon = colonOf(language);
  o = {
    wordwrap: false,
    formatters: {
      // A table of facts: one '  label：value' line per row.
      facts(elem: Elem, _walk: unknown, builder: Builder) {
        builder.openBlock({ leadingLineBreaks: 2 });
        const rows: Elem[] = [];
        const collect = (e: Elem) => {
          for (const c of e.children ?? []) {
            if (c.type === 'tag' && c.name === 'tr') rows.push(c);
            else if (c.type === 'tag') collect(c);
          }
        };
        collect(elem);
        rows.forEach((r, i) => {
          const cells = (r.children ?? []).filter(
            (c) => c.type === 'tag' && (c.name === 'th' || c.name === 'td'),
          );
          const texts = cells.map((c) => textOf(c).replace(/\s+/g, ' ').trim());
          if (i > 0) builder.addLineBreak();
          builder.addLiteral(`  ${texts.length === 2 ? `${texts[0]}${colon}${texts[1]}` : texts.join('  ')}`);
        });
        builder.closeBlock({ trailingLineBreaks: 2 });
      },
      // A link: its text, and its address after a colon when the text is not the address.
      link(elem: Elem, walk: (nodes: Elem[], b: Builder) => void, builder: Builder) {
        const href = (elem.attribs?.href ?? '').replace(/^mailto:/i, '');
        const text = textOf(elem).trim();
        walk(elem.children ?? [], builder);
        if (href && href !== text) builder.addInline(`${colon}${href}`, { noWordTransform: true });
      },
    } as unknown as HtmlToTextOptions['formatters'],
    selectors: [
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
      { selector: 'table.facts', format: 'facts' },
      { selector: 'a', format: 'link' },
      { selector: 'ul', options: { itemPrefix: '  - ' } },
      { selector: 'img', format: 'skip' },
    ],
  };
  textOptions.set(language, o);
  return o;
}

/** The plain-text part of a body fragment. */
export function plainText(bodyHtml: string, language: string): string {
  return `${convert(bodyHtml, textOptionsFor(language)).trim()}\n`;
}

// ---------------------------------------------------------------------------------------------------------
// Shipped files and the renderer

/** The shipped template of a kind in a language, or undefined when there is no such file. */
export function shippedTemplate(
  kind: string,
  language: string,
  dir = TEMPLATES_DIR,
): TemplateText | undefined {
  if (!/^[a-z][a-z0-9-]*$/.test(kind) || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(language))
    return undefined;
  try {
    return {
      subject: readFileSync(join(dir, language, `${kind}.subject.liquid`), 'utf8'),
      body: readFileSync(join(dir, language, `${kind}.liquid`), 'utf8'),
    };
  } catch {
    return undefined;
  }
}

/** Checks the data a kind needs before its template runs; throws naming the missing field. */
const validated = (kind: string, data: Record<string, unknown>): void => {
  kindOf(kind)?.validate?.(data);
};

export interface RendererOptions {
  /** The stored versions (store/templates.ts); without it, the shipped files alone. */
  stored?: StoredTemplates;
  /** The shipped templates' folder (tests). */
  dir?: string;
  /** Where a stored version's failure on real data is reported (default console.warn). */
  warn?: (message: string) => void;
}

/**
 * The renderer. A message uses the version in force when it is rendered: the stored version is looked
 * up on every render (one indexed row), and its parsed form is cached by version (versions never change).
 * A kind without a template in the language falls back to the default language (zh-CN), stored or shipped.
 */
export function createMessageRenderer(opts: RendererOptions = {}): MessageRenderer & {
  /** The template that would render: the version in force in the language, or the fallback. */
  templateFor(kind: string, language: string): Promise<TemplateVersion & { language: string }>;
  /** Renders a given template (a draft) instead of the version in force. */
  renderTemplate(
    kind: string,
    language: string,
    template: TemplateVersion,
    data: Record<string, unknown>,
  ): Promise<RenderedMessage>;
} {
  const dir = opts.dir ?? TEMPLATES_DIR;
  const shipped = new Map<string, TemplateText | null>();
  const shippedOf = (kind: string, language: string): TemplateText | undefined => {
    const key = `${kind}|${language}`;
    if (!shipped.has(key)) shipped.set(key, shippedTemplate(kind, language, dir) ?? null);
    return shipped.get(key) ?? undefined;
  };
  const parsed = new Map<string, { subject: Template[]; body: Template[] }>();
  let layout: Template[] | undefined;
  const layoutTemplates = () => {
    layout ??= htmlEngine.parse(readFileSync(join(dir, 'layouts', 'email.liquid'), 'utf8'));
    return layout;
  };

  async function templateFor(kind: string, language: string) {
    if (!kindOf(kind)) throw new UnknownTemplate(`unknown template kind: ${kind}`);
    for (const lang of language === DEFAULT_LANGUAGE ? [language] : [language, DEFAULT_LANGUAGE]) {
      const stored = await opts.stored?.inForce(kind, lang);
      if (stored) return { ...stored, language: lang };
      const file = shippedOf(kind, lang);
      if (file) return { ...file, version: 'shipped', language: lang };
    }
    throw new UnknownTemplate(`no template of ${kind} in ${language} nor in ${DEFAULT_LANGUAGE}`);
  }

  async function renderTemplate(
    kind: string,
    language: string,
    template: TemplateVersion,
    data: Record<string, unknown>,
    cacheKey?: string,
  ): Promise<RenderedMessage> {
    validated(kind, data);
    let p = cacheKey ? parsed.get(cacheKey) : undefined;
    if (!p) {
      p = parseTemplate(template);
      if (cacheKey) parsed.set(cacheKey, p);
    }
    const scope = { ...data, language };
    const subject = (await textEngine.render(p.subject, scope)).replace(/\s+/g, ' ').trim();
    const body = (await htmlEngine.render(p.body, scope)).trim();
    const page = await htmlEngine.render(layoutTemplates(), { ...scope, subject, content: body });
    return {
      subject,
      html: juice(page, JUICE),
      text: plainText(body, language),
      body,
      templateVersion: template.version,
    };
  }

  return {
    templateFor,
    renderTemplate: (kind, language, template, data) => renderTemplate(kind, language, template, data),
    async render(kind, language, data) {
      const t = await templateFor(kind, language);
      validated(kind, data); // missing data is the caller's error, whichever version renders
      try {
        return await renderTemplate(kind, t.language, t, data, `${kind}|${t.language}|${t.version}`);
      } catch (err) {
        // A company's version that fails on real data (a filter refusing a value the sample did not
        // have) must not hold the message: the shipped file writes it, and the failure is logged.
        const file = t.version === 'shipped' ? undefined : shippedOf(kind, t.language);
        if (!file) throw err;
        (opts.warn ?? console.warn)(
          `template ${kind} ${t.language} version ${t.version} failed (${(err as Error).message}); sent with the shipped version`,
        );
        return renderTemplate(
          kind,
          t.language,
          { ...file, version: 'shipped' },
          data,
          `${kind}|${t.language}|shipped`,
        );
      }
    },
  };
}
