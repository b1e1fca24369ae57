/**
 * `npm run letters:samples`: the pictures of a formal letter and a statement in docs/images/ — the
 * sample overdue warning letter (客户欠款警告书) and the sample statement of account, in Chinese,
 * with a sample company seal — rendered from the shipped templates exactly as the worker renders
 * them, then drawn to PNG (page 1) for the documentation.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { composeLetter } from '../operations/correspondence/letters.js';
import { createMessageRenderer } from '../operations/correspondence/render.js';
import {
  SAMPLE_COMPANY,
  SAMPLE_COUNTERPARTY,
  SAMPLE_DEADLINE,
  SAMPLE_ITEMS,
  SAMPLE_STATEMENT,
  SAMPLE_TOTALS,
} from '../operations/correspondence/samples.js';
import { pdfToPngFiles } from '../test/support/pdf-png.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const IMAGES = path.join(ROOT, 'docs/images');

/** A PNG (RGBA) of `size` × `size` pixels; `pixel(x, y)` gives each pixel's [r, g, b, a]. */
function png(size: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), y * (size * 4 + 1) + 1 + x * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A sample seal: a red ring with a five-pointed star, translucent like ink. */
export function sampleSeal(size = 240): Buffer {
  const c = size / 2;
  const star = (x: number, y: number) => {
    // Inside a star of outer radius 0.28·size: compare the radius with the star's edge at this angle.
    const r = Math.hypot(x - c, y - c);
    const a = Math.atan2(y - c, x - c) + Math.PI / 2;
    const sector = ((a % ((2 * Math.PI) / 5)) + (2 * Math.PI) / 5) % ((2 * Math.PI) / 5);
    const t = Math.abs(sector - Math.PI / 5) / (Math.PI / 5);
    return r < size * (0.11 + 0.17 * t);
  };
  return png(size, (x, y) => {
    const r = Math.hypot(x - c, y - c);
    const ring = r > size * 0.42 && r < size * 0.48;
    return ring || star(x, y) ? [200, 16, 30, 200] : [0, 0, 0, 0];
  });
}

async function main() {
  mkdirSync(IMAGES, { recursive: true });
  const seal = path.join(IMAGES, 'sample-seal.png');
  writeFileSync(seal, sampleSeal());
  const renderer = createMessageRenderer();
  const company = { ...SAMPLE_COMPANY, sealImagePath: seal };
  const who = {
    language: 'zh-CN',
    company,
    counterparty: SAMPLE_COUNTERPARTY,
    letterNumber: 'CF-2026-000123',
  };
  const warning = await composeLetter(
    renderer,
    'letter-warning',
    { ...who, date: '2026-04-30' },
    { deadline: SAMPLE_DEADLINE, items: SAMPLE_ITEMS, totals: SAMPLE_TOTALS },
  );
  const statement = await composeLetter(
    renderer,
    'statement',
    { ...who, letterNumber: 'CF-2026-000124', date: '2026-05-01' },
    { ...SAMPLE_STATEMENT },
  );
  for (const [name, pdf] of [
    ['warning-letter', warning.pdf],
    ['statement', statement.pdf],
  ] as const) {
    const [first] = await pdfToPngFiles(pdf, IMAGES, name, 1.25, [1]);
    console.log(`wrote ${path.relative(ROOT, first ?? name)}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
