/**
 * One process of P6's two-process measure (bench/p6-letters.ts): warms up, then renders
 * `argv[2]` warning letters one after another and prints its letters per second as JSON.
 */
import { warmLetterEngine } from '../operations/correspondence/letter-pdf.js';
import { createMessageRenderer } from '../operations/correspondence/render.js';
import { sampleLetter } from '../operations/correspondence/samples.js';

const count = Number(process.argv[2] ?? 100);
warmLetterEngine();
const renderer = createMessageRenderer();
await sampleLetter(renderer, 'letter-warning', 'zh-CN');
const t0 = performance.now();
for (let i = 0; i < count; i++) await sampleLetter(renderer, 'letter-warning', 'zh-CN', i + 1);
console.log(JSON.stringify({ rate: (count * 1000) / (performance.now() - t0) }));
