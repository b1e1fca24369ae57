/**
 * Every letter kind and the statement, in Chinese and English, rendered to PNG (with the PDF's own
 * embedded font) into .data/test/letters/ for a person to look at. A file of its own: the PNG
 * renderer brings its own pdf.js, which cannot share a process with the text extraction's.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LETTER_KINDS } from '../../operations/correspondence/letters.js';
import { createMessageRenderer } from '../../operations/correspondence/render.js';
import { sampleLetter } from '../../operations/correspondence/samples.js';
import { pdfToPngFiles } from '../support/pdf-png.js';

const OUT = path.resolve(import.meta.dirname, '../../.data/test/letters');

describe('letters for a person to look at', () => {
  it('renders each letter kind and the statement to PNG in .data/test/letters/', async () => {
    const renderer = createMessageRenderer();
    const written: string[] = [];
    for (const kind of [...LETTER_KINDS, 'statement'])
      for (const language of ['zh-CN', 'en'])
        written.push(
          ...(await pdfToPngFiles(
            (
              await sampleLetter(renderer, kind, language)
            ).pdf,
            OUT,
            `${kind}-${language}`,
          )),
        );
    for (const kind of [...LETTER_KINDS, 'statement'])
      for (const language of ['zh-CN', 'en'])
        expect(written).toContain(path.join(OUT, `${kind}-${language}.png`));
  }, 120_000);
});
