/**
 * Reads an uploaded file record by record as it arrives: CSV (header row), NDJSON
 * (one JSON object per line) or a JSON array. Nothing holds more than one record
 * (at most 1 MiB) besides the stream's own buffers, so a file of any size passes in
 * constant memory and rows are processed while the upload is still going on.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { CsvError, parse } from 'csv-parse';
import type { ImportFormat } from '../../domain/imports.js';
import { fromCsv, headerProblems, type RowSpec } from './rows.js';

/** One record, numbered from 1 in file order, or the reason it could not be read. */
export type SourceRecord = { row: number; value: unknown } | { row: number; error: string };

/** The file as a whole cannot be read on (bad header, broken JSON array, record too big). */
export class ImportFileError extends Error {
  constructor(
    message: string,
    readonly fields: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** The largest single record (a CSV record, an NDJSON line, a JSON array element). */
export const MAX_RECORD_BYTES = 1024 * 1024;

export function readRecords(
  stream: Readable,
  format: ImportFormat,
  spec: RowSpec,
  maxRecord = MAX_RECORD_BYTES,
): AsyncGenerator<SourceRecord> {
  switch (format) {
    case 'csv':
      return csvRecords(stream, spec, maxRecord);
    case 'ndjson':
      return ndjsonRecords(stream, maxRecord);
    case 'json':
      return jsonArrayRecords(stream, maxRecord);
  }
}

async function* csvRecords(stream: Readable, spec: RowSpec, maxRecord: number): AsyncGenerator<SourceRecord> {
  const parser = parse({
    bom: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    max_record_size: maxRecord,
  });
  // The parser fails when its source does (an interrupted upload), so the loop ends.
  stream.on('error', (err) => parser.destroy(err));
  stream.pipe(parser);
  let header: string[] | undefined;
  let row = 0;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (!header) {
        header = cells;
        const problems = headerProblems(header, spec);
        if (problems.length)
          throw new ImportFileError(
            `the CSV header does not fit ${spec.kind}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
            problems,
          );
        continue;
      }
      row += 1;
      if (cells.length !== header.length) {
        yield { row, error: `the record has ${cells.length} cells, the header has ${header.length}` };
        continue;
      }
      const named: Record<string, string> = {};
      header.forEach((column, i) => {
        named[column] = cells[i] ?? '';
      });
      yield { row, value: fromCsv(named, spec.numericColumns) };
    }
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    // Every parser refusal (an opening quote inside a field, a quote never closed, a record
    // too big…) is the file's problem, whatever its code says.
    if (err instanceof CsvError) {
      const message = `the CSV cannot be read on: ${err.message}`;
      throw new ImportFileError(message, [{ path: 'body', message: err.message }]);
    }
    throw err;
  } finally {
    stream.unpipe(parser);
  }
  if (!header) throw new ImportFileError('the CSV is empty: a header row is required');
}

/** Text lines of a UTF-8 stream (without their \r\n or \n), each at most `max` characters. */
async function* lines(stream: Readable, max: number): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let first = true;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    let text = carry + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    if (first && text.length) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      yield text.slice(start, nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
      start = nl + 1;
    }
    carry = text.slice(start);
    if (carry.length > max) throw new ImportFileError(`a line is longer than ${max} characters`);
  }
  carry += decoder.end();
  if (carry.endsWith('\r')) carry = carry.slice(0, -1);
  if (carry) yield carry;
}

function parseJson(text: string, row: number): SourceRecord {
  try {
    return { row, value: JSON.parse(text) };
  } catch (err) {
    return { row, error: `not valid JSON: ${(err as Error).message}` };
  }
}

async function* ndjsonRecords(stream: Readable, max: number): AsyncGenerator<SourceRecord> {
  let row = 0;
  for await (const line of lines(stream, max)) {
    if (line.trim() === '') continue;
    row += 1;
    yield parseJson(line, row);
  }
}

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/**
 * The elements of a top-level JSON array, each handed over as soon as its closing
 * brace arrives. Elements are cut by structure (strings, escapes, nesting), then
 * parsed one by one, so a malformed element is one rejected row, not a failed file.
 */
async function* jsonArrayRecords(stream: Readable, max: number): AsyncGenerator<SourceRecord> {
  const decoder = new StringDecoder('utf8');
  type State = 'start' | 'between' | 'element' | 'after' | 'end';
  let state: State = 'start';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let pieces: string[] = [];
  let pieceChars = 0;
  let row = 0;
  const take = (text: string, from: number, to: number): SourceRecord => {
    const element = pieces.join('') + text.slice(from, to);
    pieces = [];
    pieceChars = 0;
    row += 1;
    return parseJson(element, row);
  };
  const fail = (what: string) =>
    new ImportFileError(`the body is not a JSON array of records: ${what} (after record ${row})`);

  const chunks = async function* () {
    for await (const chunk of stream as AsyncIterable<Buffer | string>)
      yield typeof chunk === 'string' ? chunk : decoder.write(chunk);
    yield decoder.end();
  };
  for await (const text of chunks()) {
    let start = 0; // where the current element begins in `text`
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      switch (state) {
        case 'start':
          if (isSpace(c) || c === 0xfeff) continue;
          if (c !== 91 /* [ */) throw fail('it must start with [');
          state = 'between';
          continue;
        case 'between':
          if (isSpace(c) || c === 44 /* , */) continue;
          if (c === 93 /* ] */) {
            state = 'end';
            continue;
          }
          state = 'element';
          start = i;
          depth = 0;
          inString = false;
          escaped = false;
          i -= 1; // read this character as the element's first
          continue;
        case 'element':
          if (inString) {
            if (escaped) escaped = false;
            else if (c === 92 /* \ */) escaped = true;
            else if (c === 34 /* " */) {
              inString = false;
              if (depth === 0) {
                yield take(text, start, i + 1);
                state = 'after';
              }
            }
            continue;
          }
          if (c === 34) inString = true;
          else if (c === 123 /* { */ || c === 91 /* [ */) depth += 1;
          else if (c === 125 /* } */ || c === 93 /* ] */) {
            if (depth === 0) {
              // A bare value (number, true, …) ends at the array's closing bracket.
              if (c === 125) throw fail('unbalanced }');
              yield take(text, start, i);
              state = 'end';
              continue;
            }
            depth -= 1;
            if (depth === 0) {
              yield take(text, start, i + 1);
              state = 'after';
            }
          } else if (depth === 0 && (c === 44 || isSpace(c))) {
            yield take(text, start, i);
            state = c === 44 ? 'between' : 'after';
          }
          continue;
        case 'after':
          if (isSpace(c)) continue;
          if (c === 44) state = 'between';
          else if (c === 93) state = 'end';
          else throw fail(`expected , or ] but found ${JSON.stringify(text[i])}`);
          continue;
        case 'end':
          if (!isSpace(c)) throw fail('text after the closing ]');
      }
    }
    if (state === 'element') {
      pieces.push(text.slice(start));
      pieceChars += text.length - start;
      if (pieceChars > max) throw new ImportFileError(`record ${row + 1} is longer than ${max} characters`);
    }
  }
  const last = state as State; // narrowed wrongly through the loop's switch
  if (last !== 'end') throw fail(last === 'start' ? 'the body is empty' : 'the array is not closed');
}
