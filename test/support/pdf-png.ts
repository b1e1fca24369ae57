/**
 * PNGs of a PDF's pages (pdf-to-png-converter, drawing with the PDF's embedded fonts, never the
 * host's) for a person to look at. Not in a process that loaded test/support/pdf.ts: the two bring
 * different pdf.js versions, and pdf.js allows one per process.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pdfToPng } from 'pdf-to-png-converter';

// pdf.js 6 (the converter's) calls ArrayBuffer.prototype.transferToFixedLength, which Node 20 lacks:
// without it every page's drawing is dropped and the PNG comes out blank. A copy does here.
const proto = ArrayBuffer.prototype as ArrayBuffer & {
  transferToFixedLength?: (length?: number) => ArrayBuffer;
};
if (!proto.transferToFixedLength)
  Object.defineProperty(ArrayBuffer.prototype, 'transferToFixedLength', {
    configurable: true,
    writable: true,
    value(this: ArrayBuffer, length = this.byteLength) {
      const copy = new ArrayBuffer(length);
      new Uint8Array(copy).set(new Uint8Array(this, 0, Math.min(length, this.byteLength)));
      return copy;
    },
  });

/** Writes each page of `pdf` as `<dir>/<name>-<page>.png` (page 1 also as `<name>.png`); returns the paths. */
export async function pdfToPngFiles(
  pdf: Buffer,
  dir: string,
  name: string,
  scale = 1.5,
  pages?: number[],
): Promise<string[]> {
  const drawn = await pdfToPng(new Uint8Array(pdf).buffer, {
    viewportScale: scale,
    ...(pages ? { pagesToProcess: pages } : {}),
    disableFontFace: true,
    useSystemFonts: false,
    verbosityLevel: Number(process.env.PDF_VERBOSITY ?? 0) as 0,
  });
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const page of drawn) {
    if (!page.content) continue;
    const file = path.join(dir, page.pageNumber === 1 ? `${name}.png` : `${name}-${page.pageNumber}.png`);
    writeFileSync(file, page.content);
    written.push(file);
  }
  return written;
}
