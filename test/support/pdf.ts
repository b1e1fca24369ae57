/**
 * Reading the PDFs creditflow writes, in tests: their text (pdfjs-dist). PNGs of their pages are
 * pdf-png.ts's (its own pdf.js version: not in the same process as this one).
 */
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** Every page's text, pages joined by a line break; text runs joined without spaces. */
export async function pdfText(pdf: Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, verbosity: 0 }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    pages.push(content.items.map((i) => ('str' in i ? i.str : '')).join(''));
  }
  await doc.destroy();
  return pages.join('\n');
}

/** The text without any white space, so a phrase broken across runs or lines is still found. */
export const compact = (text: string) => text.replace(/\s+/g, '');
