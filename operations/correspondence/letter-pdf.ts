/**
 * Formal letters (催款通知单, 二次催款通知, 客户欠款警告书, 法律催告函) and the statement of account as PDF:
 * pdfmake lays out the company's letterhead, the recipient, the letter number and date, the title,
 * the body the letter kind's template rendered (HTML turned into pdfmake content by html-to-pdfmake)
 * and the signature block, with the company seal over it when one is configured.
 *
 * The only font is Noto Sans SC from the pinned npm package @expo-google-fonts/noto-sans-sc (its
 * Latin glyphs too), never one of the host's. Made for throughput: the font files are read once per
 * process into pdfmake's virtual file system, and one jsdom window serves every conversion. All of
 * it is loaded when a process lays out its first letter, not when it starts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Jsdom from 'jsdom';
import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import { formatLetterDate } from '../../domain/format.js';

export interface LetterDocument {
  language: string;
  letterhead: { name: string; address?: string; contact?: string; sealImagePath?: string };
  recipient: { name: string; address?: string; contactName?: string };
  letterNumber: string; // e.g. CF-2026-000123, from store (letters slice)
  date: string; // 'YYYY-MM-DD'
  title: string; // RenderedMessage.subject of the letter kind
  bodyHtml: string; // RenderedMessage.body of the letter kind
  signature: { name: string; title?: string };
}

const require = createRequire(import.meta.url);

interface PdfMake {
  virtualfs: { writeFileSync(name: string, content: Buffer): void };
  addFonts(fonts: Record<string, Record<string, string>>): void;
  setUrlAccessPolicy(allow: (url: string) => boolean): void;
  setLocalAccessPolicy(allow: (path: string) => boolean): void;
  addTableLayouts(layouts: Record<string, unknown>): void;
  createPdf(doc: TDocumentDefinitions): { getBuffer(): Promise<Buffer> };
}
type HtmlToPdfmake = (html: string, options: Record<string, unknown>) => Content;

/** The font package's directory (the package has no entry for its files). */
const FONT_DIR = path.dirname(require.resolve('@expo-google-fonts/noto-sans-sc/package.json'));
export const LETTER_FONT_FILES = {
  normal: path.join(FONT_DIR, '400Regular/NotoSansSC_400Regular.ttf'),
  bold: path.join(FONT_DIR, '700Bold/NotoSansSC_700Bold.ttf'),
} as const;

const FONT = 'NotoSansSC';

interface Engine {
  pdfmake: PdfMake;
  htmlToPdfmake: HtmlToPdfmake;
  window: unknown;
  /** Seal images read so far, by path, as data URLs. */
  seals: Map<string, string>;
}
let engine: Engine | undefined;

/** pdfmake with the fonts loaded, html-to-pdfmake and its one jsdom window: built on first use, then kept. */
function letterEngine(): Engine {
  if (engine) return engine;
  const pdfmake = require('pdfmake') as PdfMake;
  pdfmake.virtualfs.writeFileSync('NotoSansSC-Regular.ttf', readFileSync(LETTER_FONT_FILES.normal));
  pdfmake.virtualfs.writeFileSync('NotoSansSC-Bold.ttf', readFileSync(LETTER_FONT_FILES.bold));
  // Noto Sans SC has no italic: emphasis stays upright, as Chinese typesetting does.
  pdfmake.addFonts({
    [FONT]: {
      normal: 'NotoSansSC-Regular.ttf',
      bold: 'NotoSansSC-Bold.ttf',
      italics: 'NotoSansSC-Regular.ttf',
      bolditalics: 'NotoSansSC-Bold.ttf',
    },
  });
  // A letter never fetches anything: images come as data URLs, fonts from the virtual file system.
  pdfmake.setUrlAccessPolicy(() => false);
  pdfmake.setLocalAccessPolicy(() => false);
  pdfmake.addTableLayouts({ letter: TABLE_LAYOUT });
  shareParsedFonts();
  // Required here, not imported: jsdom alone is about 20 MiB of a worker process that has not
  // laid out a letter yet (docs/performance.md).
  const { JSDOM } = require('jsdom') as typeof Jsdom;
  const { window } = new JSDOM('');
  engine = {
    pdfmake,
    htmlToPdfmake: require('html-to-pdfmake') as HtmlToPdfmake,
    window,
    seals: new Map(),
  };
  return engine;
}

interface PdfKitDocument {
  fonts: Record<string, Record<string, string>>;
  fontCache: Record<string, Record<string, unknown>>;
  _fontCount: number;
  _fontFamilies: Record<string, unknown>;
  getFontType(bold: boolean, italics: boolean): string;
}
type EmbeddedFontClass = new (doc: PdfKitDocument, font: unknown, id: string) => { font: unknown };
/** pdfkit's cache of shaped text runs of a font (text → glyphs and positions). */
interface LayoutCache {
  entries: object;
  documents: number;
}
const newLayoutCache = (): LayoutCache => ({ entries: Object.create(null), documents: 0 });
/** Documents that share one layout cache before it starts afresh. */
const LAYOUT_CACHE_DOCUMENTS = 2_000;

/**
 * pdfkit parses the font file anew for every document (fontkit.create), which for a 10 MB CJK font
 * cost most of a letter's time. Every document here shares one parsed font per file instead; each
 * still embeds its own subset of the glyphs it uses (a new EmbeddedFont per document).
 */
function shareParsedFonts(): void {
  const { default: PDFDocument } = require('pdfmake/js/PDFDocument.js') as {
    default: { prototype: PdfKitDocument & { provideFont(f: string, b: boolean, i: boolean): unknown } };
  };
  const proto = PDFDocument.prototype;
  const original = proto.provideFont;
  const parsed = new Map<string, { Embedded: EmbeddedFontClass; font: unknown; layouts: LayoutCache }>();
  proto.provideFont = function (this: PdfKitDocument, family: string, bold: boolean, italics: boolean) {
    const type = this.getFontType(bold, italics);
    const file = this.fonts[family]?.[type];
    const cached = this.fontCache[family]?.[type];
    if (cached || typeof file !== 'string') return original.call(this, family, bold, italics);
    const shared = parsed.get(file);
    if (!shared) {
      const embedded = original.call(this, family, bold, italics) as { font: unknown; layoutCache?: object };
      const layouts = newLayoutCache();
      embedded.layoutCache = layouts.entries;
      memoizeGlyphDecoding(embedded.font);
      parsed.set(file, { Embedded: embedded.constructor as EmbeddedFontClass, font: embedded.font, layouts });
      return embedded;
    }
    const id = `F${++this._fontCount}`;
    const embedded = new shared.Embedded(this, shared.font, id) as { font: unknown; layoutCache?: object };
    // The shaped words are shared too (the same font, the same scale); started afresh now and then
    // so a long-running worker's cache stays bounded.
    if (++shared.layouts.documents > LAYOUT_CACHE_DOCUMENTS) shared.layouts = newLayoutCache();
    embedded.layoutCache = shared.layouts.entries;
    this._fontFamilies[id] = embedded;
    this.fontCache[family] = { ...this.fontCache[family], [type]: embedded };
    return embedded;
  };
}

/**
 * Embedding a letter's glyphs decodes each glyph's outline (to find composite glyphs); the parsed
 * font is shared, so each glyph keeps what it decoded instead of decoding it for every letter.
 */
function memoizeGlyphDecoding(font: unknown): void {
  const glyph = (font as { getGlyph(id: number): object }).getGlyph(0);
  const proto = Object.getPrototypeOf(glyph) as { _decode(): unknown; creditflowMemo?: true };
  if (proto.creditflowMemo) return;
  const decode = proto._decode;
  proto._decode = function (this: { creditflowDecoded?: { value: unknown } }) {
    if (!this.creditflowDecoded) this.creditflowDecoded = { value: decode.call(this) };
    return this.creditflowDecoded.value;
  };
  proto.creditflowMemo = true;
}

/** Loads the fonts and the HTML converter now (a worker's start), not on the first letter. */
export function warmLetterEngine(): void {
  letterEngine();
}

function sealDataUrl(e: Engine, file: string): string | undefined {
  let url = e.seals.get(file);
  if (url === undefined) {
    try {
      url = `data:image/png;base64,${readFileSync(file).toString('base64')}`;
    } catch (err) {
      // A letter without its seal is still a letter; the setting is checked when the worker starts.
      console.error(`letters: cannot read the seal image ${file}: ${(err as Error).message}`);
      url = '';
    }
    e.seals.set(file, url);
  }
  return url || undefined;
}

const LABELS = {
  'zh-CN': {
    number: '编号：',
    date: '日期：',
    to: '致：',
    attention: '联系人：',
    address: '地址：',
    page: (p: number, n: number) => `第 ${p} 页 / 共 ${n} 页`,
    signedFor: '（盖章）',
  },
  en: {
    number: 'Ref.: ',
    date: 'Date: ',
    to: 'To: ',
    attention: 'Attn.: ',
    address: '',
    page: (p: number, n: number) => `Page ${p} of ${n}`,
    signedFor: 'For and on behalf of',
  },
} as const;
const labelsFor = (language: string) => (language.startsWith('zh') ? LABELS['zh-CN'] : LABELS.en);

const ACCENT = '#8b1a1a';

const BLOCK = '(?:table|thead|tbody|tr|th|td|ul|ol|li|p|h[1-6]|br)';
/** White space next to block tags (a template's line breaks) would print as empty lines. */
const withoutBlockWhitespace = (html: string) =>
  html
    .replace(new RegExp(`\\s+(<\\/?${BLOCK}\\b)`, 'g'), '$1')
    .replace(new RegExp(`(<\\/?${BLOCK}\\b[^>]*>)\\s+`, 'g'), '$1')
    .trim();

interface Node {
  table?: { body: unknown[][]; widths?: unknown[]; headerRows?: number };
  layout?: unknown;
  stack?: unknown[];
  ul?: unknown[];
  ol?: unknown[];
  columns?: unknown[];
  text?: unknown;
  style?: unknown;
}

/** Tables span the page with even columns and a light grid; their header row repeats on a new page. */
function styleTables(content: unknown): void {
  if (Array.isArray(content)) {
    for (const c of content) styleTables(c);
    return;
  }
  if (!content || typeof content !== 'object') return;
  const node = content as Node;
  if (node.table) {
    const first = node.table.body[0] ?? [];
    const columns = first.reduce<number>((n, cell) => n + ((cell as { colSpan?: number })?.colSpan ?? 1), 0);
    node.table.widths = Array.from({ length: columns }, () => '*');
    node.table.headerRows = 1;
    node.layout = 'letter';
    for (const row of node.table.body) styleTables(row);
    return;
  }
  for (const key of ['stack', 'ul', 'ol', 'columns', 'text'] as const)
    if (Array.isArray(node[key])) styleTables(node[key]);
}

const TABLE_LAYOUT = {
  hLineWidth: () => 0.5,
  vLineWidth: () => 0.5,
  hLineColor: () => '#999999',
  vLineColor: () => '#999999',
  paddingLeft: () => 4,
  paddingRight: () => 4,
  paddingTop: () => 2,
  paddingBottom: () => 2,
};

function letterhead(l: LetterDocument['letterhead']): Content[] {
  const lines = [l.address, l.contact].filter((x): x is string => Boolean(x));
  return [
    { text: l.name, style: 'company' },
    ...(lines.length ? [{ text: lines.join('    '), style: 'companyLines' }] : []),
    {
      canvas: [{ type: 'line', x1: 0, y1: 2, x2: 515, y2: 2, lineWidth: 1.5, lineColor: ACCENT }],
      margin: [0, 4, 0, 10],
    },
  ] as Content[];
}

/** The letter as a PDF. */
export async function renderLetterPdf(letter: LetterDocument): Promise<Buffer> {
  const e = letterEngine();
  const t = labelsFor(letter.language);
  const body = e.htmlToPdfmake(withoutBlockWhitespace(letter.bodyHtml), {
    window: e.window,
    removeExtraBlanks: true,
    // Only the template's own class names become styles: fewer names for pdfmake to look up.
    removeTagClasses: true,
    defaultStyles: {
      p: { margin: [0, 3, 0, 6] },
      h1: { fontSize: 14, bold: true, margin: [0, 8, 0, 4] },
      h2: { fontSize: 12, bold: true, margin: [0, 8, 0, 4] },
      h3: { fontSize: 11, bold: true, margin: [0, 8, 0, 4] },
      ol: { margin: [10, 2, 0, 6] },
      ul: { margin: [10, 2, 0, 6] },
      table: { margin: [0, 4, 0, 6] },
      th: { bold: true, fillColor: '#f1e6e6' },
    },
  });
  styleTables(body);
  const recipientLines: Content[] = [
    { text: [t.to, { text: letter.recipient.name, bold: true }] },
    ...(letter.recipient.address ? [{ text: `${t.address}${letter.recipient.address}` }] : []),
    ...(letter.recipient.contactName ? [{ text: `${t.attention}${letter.recipient.contactName}` }] : []),
  ];
  const seal = letter.letterhead.sealImagePath ? sealDataUrl(e, letter.letterhead.sealImagePath) : undefined;
  const signatureLines: Content[] = [
    ...(letter.language.startsWith('zh') ? [] : [{ text: t.signedFor, fontSize: 9, color: '#555555' }]),
    { text: `${letter.letterhead.name}${letter.language.startsWith('zh') ? t.signedFor : ''}`, bold: true },
    { text: letter.signature.name },
    ...(letter.signature.title ? [{ text: letter.signature.title }] : []),
    { text: formatLetterDate(letter.date, letter.language) },
  ];
  const signature: Content = {
    unbreakable: true,
    margin: [0, 18, 0, 0],
    columns: [
      { width: '*', text: '' },
      {
        width: 200,
        // The seal is stamped over the company's name, as on paper: drawn after the lines, pulled up over them.
        stack: [...signatureLines, ...(seal ? [{ image: seal, width: 96, margin: [50, -84, 0, 0] }] : [])],
      },
    ],
  } as Content;
  const doc: TDocumentDefinitions = {
    pageSize: 'A4',
    pageMargins: [40, 40, 40, 50],
    info: { title: letter.title, subject: letter.letterNumber, author: letter.letterhead.name },
    defaultStyle: { font: FONT, fontSize: 10, lineHeight: 1.35 },
    styles: {
      company: { fontSize: 18, bold: true, alignment: 'center', color: ACCENT },
      companyLines: { fontSize: 9, alignment: 'center', color: '#444444', margin: [0, 2, 0, 0] },
      title: { fontSize: 17, bold: true, alignment: 'center', margin: [0, 10, 0, 12] },
      amount: { alignment: 'right' },
      number: { alignment: 'right' },
      total: { alignment: 'right', margin: [0, 2, 0, 8] },
    },
    content: [
      ...letterhead(letter.letterhead),
      {
        columns: [
          { width: '*', stack: recipientLines },
          {
            width: 'auto',
            stack: [
              `${t.number}${letter.letterNumber}`,
              `${t.date}${formatLetterDate(letter.date, letter.language)}`,
            ],
            alignment: 'right',
          },
        ],
      },
      { text: letter.title, style: 'title' },
      body,
      signature,
    ] as Content[],
    footer: (page: number, pages: number) => ({
      columns: [
        { text: letter.letterNumber, alignment: 'left' },
        { text: t.page(page, pages), alignment: 'right' },
      ],
      margin: [40, 16, 40, 0],
      fontSize: 8,
      color: '#777777',
    }),
  };
  return e.pdfmake.createPdf(doc).getBuffer();
}
