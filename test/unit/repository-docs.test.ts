/**
 * The README and docs/ are true to the repository a newcomer clones: every link resolves inside
 * it (file and heading), none points outside it, the front page stays short, every page is in
 * the index, and every `docs/domain.md §n` a source file cites is a section of domain.md.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const DOCS = path.join(ROOT, 'docs');
const rel = (file: string) => path.relative(ROOT, file);

const pages = [
  path.join(ROOT, 'README.md'),
  ...readdirSync(DOCS)
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join(DOCS, f)),
];

/** The text outside fenced code blocks and inline code, where a link is a link. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Markdown links `[text](target)` and autolinks `<scheme:…>`, targets only. */
function links(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1] as string);
  const auto = [...text.matchAll(/<([a-z][a-z0-9+.-]*:[^>\s]+)>/gi)].map((m) => m[1] as string);
  const reference = [...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1] as string);
  return [...inline, ...auto, ...reference];
}

/** GitHub's heading anchors: lower case, punctuation dropped, each space a hyphen, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const heading = (m[1] as string).replace(/`/g, '');
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

const headingAnchors = (file: string) => anchors(readFileSync(file, 'utf8'));

describe('README.md and docs/', () => {
  it('keep the front page to 150 lines', () => {
    const lines = readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    expect(lines.length).toBeLessThanOrEqual(150);
  });

  it('link only to files and headings inside the repository', () => {
    const problems: string[] = [];
    for (const page of pages) {
      for (const target of links(readFileSync(page, 'utf8'))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
          // A URL: only the servers `npm start` runs on this machine.
          if (!/^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(target))
            problems.push(`${rel(page)}: ${target} points outside the repository`);
          continue;
        }
        const [file, anchor] = target.split('#') as [string, string | undefined];
        const resolved = file === '' ? page : path.resolve(path.dirname(page), decodeURI(file));
        if (resolved !== ROOT && !resolved.startsWith(ROOT + path.sep)) {
          problems.push(`${rel(page)}: ${target} points outside the repository`);
          continue;
        }
        let isFile = false;
        try {
          isFile = statSync(resolved).isFile();
        } catch {
          problems.push(`${rel(page)}: ${target} does not exist`);
          continue;
        }
        if (anchor !== undefined) {
          if (!isFile || !resolved.endsWith('.md'))
            problems.push(`${rel(page)}: ${target} has an anchor into something that is not a page`);
          else if (!headingAnchors(resolved).has(decodeURIComponent(anchor)))
            problems.push(`${rel(page)}: ${target} names no heading of ${rel(resolved)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('never refer to files outside the repository, linked or not', () => {
    for (const page of pages) {
      const text = readFileSync(page, 'utf8');
      expect(text, rel(page)).not.toMatch(/\.\.\/shared|shared\/domain\.md|shared\/seeds/);
    }
  });

  it('list every page of docs/ in the index', () => {
    const index = links(readFileSync(path.join(DOCS, 'README.md'), 'utf8'));
    const missing = pages
      .filter((p) => path.dirname(p) === DOCS && path.basename(p) !== 'README.md')
      .map((p) => path.basename(p))
      .filter((name) => !index.includes(name));
    expect(missing).toEqual([]);
  });
});

describe('docs/domain.md §n in the source', () => {
  const sections = new Set(
    [...readFileSync(path.join(DOCS, 'domain.md'), 'utf8').matchAll(/^#{2,3} §(\d+(?:\.\d+)?)\s/gm)].map(
      (m) => m[1] as string,
    ),
  );

  function sourceFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') return [];
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(full);
      return /\.(ts|js|sql|sh|ya?ml|py|html)$/.test(entry.name) ? [full] : [];
    });
  }

  it('numbers its sections', () => {
    for (const n of ['1', '1.1', '2', '3', '4', '5', '6', '7', '8', '9']) expect(sections).toContain(n);
  });

  it('cites only sections that exist', () => {
    const problems: string[] = [];
    for (const file of sourceFiles(ROOT)) {
      for (const m of readFileSync(file, 'utf8').matchAll(
        /docs\/domain\.md\s+((?:§\d+(?:\.\d+)?(?:,\s*)?)+)/g,
      )) {
        for (const n of (m[1] as string).matchAll(/§(\d+(?:\.\d+)?)/g)) {
          if (!sections.has(n[1] as string)) problems.push(`${rel(file)}: docs/domain.md §${n[1]}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
