/**
 * P6 — formal letters per second: the overdue warning letter (客户欠款警告书, three receivables in
 * two currencies) rendered from its template and laid out as a PDF with the CJK font, one after
 * another in one Node process, as a worker sends them. The font files are parsed and the jsdom
 * window built once before the clock starts (reported apart); the statement of account is timed
 * the same way. No server is involved.
 */
import { execFile } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { warmLetterEngine } from '../operations/correspondence/letter-pdf.js';
import { createMessageRenderer } from '../operations/correspondence/render.js';
import { sampleLetter } from '../operations/correspondence/samples.js';
import { type Figure, fmt, type RunOptions } from './figure.js';

export const LETTERS_TARGET_PER_SECOND = 50;

/** Letters per second of wall time, CPU milliseconds per letter, and the PDF's size. */
async function perSecond(
  kind: string,
  language: string,
  count: number,
): Promise<{ rate: number; cpuMs: number; bytes: number }> {
  const renderer = createMessageRenderer();
  let bytes = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) bytes += (await sampleLetter(renderer, kind, language, i + 1)).pdf.length;
  const cpu = process.cpuUsage(cpu0);
  return {
    rate: (count * 1000) / (performance.now() - t0),
    cpuMs: (cpu.user + cpu.system) / 1000 / count,
    bytes: bytes / count,
  };
}

/** Letters per second of `processes` processes rendering at once (one per core), summed. */
async function inProcesses(processes: number, count: number): Promise<number> {
  const child = path.join(import.meta.dirname, 'p6-letters-child.ts');
  const run = () =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', child, String(count)], {
      cwd: path.resolve(import.meta.dirname, '..'),
    }).then(({ stdout }) => (JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { rate: number }).rate);
  const rates = await Promise.all(Array.from({ length: processes }, run));
  return rates.reduce((a, b) => a + b, 0);
}

/** Letters per second; `opts.quick`: fewer letters. Needs no servers. */
export async function measureP6(opts: Pick<RunOptions, 'quick'>): Promise<Figure> {
  const count = opts.quick ? 60 : 300;
  const load = loadavg()[0] ?? 0;
  const w0 = performance.now();
  warmLetterEngine();
  await sampleLetter(createMessageRenderer(), 'letter-warning', 'zh-CN');
  const warmMs = performance.now() - w0;
  const zh = await perSecond('letter-warning', 'zh-CN', count);
  const en = await perSecond('letter-warning', 'en', Math.ceil(count / 3));
  const statement = await perSecond('statement', 'zh-CN', Math.ceil(count / 3));
  const cores = cpus().length;
  const machine = await inProcesses(cores, count);
  return {
    id: 'P6',
    name: 'formal letters as PDF',
    value: `${fmt(machine, 0)} letters/s (${cores} processes); ${fmt(zh.rate, 0)}/s in one`,
    target: `≥ ${LETTERS_TARGET_PER_SECOND} letters/s`,
    pass: machine >= LETTERS_TARGET_PER_SECOND,
    how: `${cores} processes (one per core, as ${cores} worker processes would) each rendering ${count} warning letters at once, their rates summed; and ${count} warning letters (zh-CN, 3 receivables) one after another in one process: template (LiquidJS) → HTML → pdfmake content (html-to-pdfmake, one jsdom window) → PDF with Noto Sans SC subset embedded`,
    notes: [
      `P6: first letter ${fmt(warmMs, 0)} ms (reading and parsing the 2 × 10 MB font files, jsdom); then zh-CN ${fmt(zh.rate, 1)}/s at ${fmt(zh.cpuMs, 1)} ms CPU each (${fmt(1000 / zh.cpuMs, 0)} letters per CPU second; ${fmt(zh.bytes / 1024, 0)} KiB each), en ${fmt(en.rate, 1)}/s at ${fmt(en.cpuMs, 1)} ms CPU (${fmt(en.bytes / 1024, 0)} KiB), statement of account (2 pages) ${fmt(statement.rate, 1)}/s at ${fmt(statement.cpuMs, 1)} ms CPU; ${cpus().length} cores, load average ${fmt(load, 1)} at start (other work on the machine slows this figure directly)`,
    ],
  };
}
