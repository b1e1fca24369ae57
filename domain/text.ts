/** Text PostgreSQL can store: what every body and imported record is checked for before any schema. */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** How deep a JSON body or imported record may nest: no record of creditflow needs more than a few levels. */
export const MAX_JSON_DEPTH = 64;

export interface TextProblem {
  /** Where, as keys from the top; empty for the value itself. */
  path: string[];
  message: string;
}

/**
 * The first thing in a JSON value PostgreSQL cannot store — a NUL character, or a lone UTF-16
 * surrogate (no UTF-8 form: jsonb refuses it, text columns would keep U+FFFD) — in a value or
 * its keys, or nesting deeper than `maxDepth`; null when there is none. Checked before any
 * schema, so every route refuses it as 400. Iterative: a body nested thousands deep costs no stack.
 */
export function unstorableText(value: unknown, maxDepth = MAX_JSON_DEPTH): TextProblem | null {
  const bad = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);
  const message = 'contains a NUL character or an unpaired surrogate';
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { value: v, path } = next;
    const key = path.at(-1);
    if ((key !== undefined && bad(key)) || (typeof v === 'string' && bad(v))) return { path, message };
    if (v === null || typeof v !== 'object') continue;
    // Named as the whole value: the path down there would be as long as the nesting.
    if (path.length >= maxDepth) return { path: [], message: `nested deeper than ${maxDepth} levels` };
    // Pushed in reverse, so the first problem in document order is found first.
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, child] = entries[i] as [string, unknown];
      stack.push({ value: child, path: [...path, k] });
    }
  }
  return null;
}

/**
 * Text as PostgreSQL can store it: NUL characters and lone surrogates written as `\u0000`
 * escapes. For messages that quote what a client sent (a CSV header, a parser's error).
 */
export function storableText(text: string): string {
  return text
    .replaceAll('\u0000', '\\u0000')
    .replace(LONE_SURROGATES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
