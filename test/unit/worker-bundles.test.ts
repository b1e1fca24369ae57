import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  deploymentOf,
  PRELOADED_WORKFLOW_MODULES,
  RECEIVABLE_BUNDLE_OPTIONS,
  WORKFLOW_BUNDLE_OPTIONS,
} from '../../workers/worker.js';
import { CORRESPONDENCE_TASK_QUEUE } from '../../workflows/correspondence/contract.js';
import * as everyWorkflow from '../../workflows/index.js';
import { RECEIVABLE_TASK_QUEUE } from '../../workflows/receivable/contract.js';
import * as receivableQueue from '../../workflows/receivable/task-queue.js';

describe("the receivable worker's own bundle (workers/worker.ts RECEIVABLE_BUNDLE_OPTIONS)", () => {
  it('holds the workflows of the receivable task queue, the receivables and their readers’ days, and no others', () => {
    // The readers' days are started on the receivable queue, so its worker must know them.
    expect(CORRESPONDENCE_TASK_QUEUE).toBe(RECEIVABLE_TASK_QUEUE);
    expect(Object.keys(receivableQueue).sort()).toEqual(['correspondenceWorkflow', 'receivableWorkflow']);
    expect(receivableQueue.receivableWorkflow).toBe(everyWorkflow.receivableWorkflow);
    expect(receivableQueue.correspondenceWorkflow).toBe(everyWorkflow.correspondenceWorkflow);
  });
});

/** The workflow modules `entry` imports for their values, transitively, within workflows/. */
function workflowModulesOf(entry: string): string[] {
  const workflowsDir = path.dirname(path.dirname(entry));
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    for (const statement of source.statements) {
      const from =
        (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) ||
        (ts.isExportDeclaration(statement) && !statement.isTypeOnly)
          ? statement.moduleSpecifier
          : undefined;
      if (!from || !ts.isStringLiteral(from) || !from.text.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), from.text.replace(/\.js$/, '.ts'));
      if (target.startsWith(`${workflowsDir}${path.sep}`)) visit(target);
    }
  };
  visit(entry);
  return [...seen];
}

/** What a module keeps at its top level that a run could change: shared by every workflow once preloaded. */
function moduleStateOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found: string[] = [];
  const mutableCollection = /^new (Map|Set|WeakMap|WeakSet|Array)\b/;
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) {
      const list = statement.declarationList;
      const kind = list.flags & ts.NodeFlags.Const ? 'const' : list.flags & ts.NodeFlags.Let ? 'let' : 'var';
      for (const d of list.declarations) {
        const name = d.name.getText(source);
        if (kind !== 'const') found.push(`${kind} ${name}`);
        else if (
          d.initializer &&
          mutableCollection.test(d.initializer.getText(source)) &&
          !d.type?.getText(source).startsWith('Readonly')
        )
          found.push(`const ${name} = ${d.initializer.getText(source)} (not declared Readonly)`);
      }
    } else if (ts.isExpressionStatement(statement)) {
      found.push(`a top-level statement: ${statement.getText(source).slice(0, 60)}`);
    }
  }
  return found;
}

describe('the workflow modules loaded once for every workflow (workers/worker.ts PRELOADED_WORKFLOW_MODULES)', () => {
  it('are the receivable task queue’s, in both bundles', () => {
    expect(WORKFLOW_BUNDLE_OPTIONS.preloadModules).toBe(PRELOADED_WORKFLOW_MODULES);
    expect(RECEIVABLE_BUNDLE_OPTIONS.preloadModules).toBe(PRELOADED_WORKFLOW_MODULES);
    expect(PRELOADED_WORKFLOW_MODULES).toContain(RECEIVABLE_BUNDLE_OPTIONS.workflowsPath);
  });

  it('keep no state of their own at module level, which every cached workflow would share', () => {
    const modules = workflowModulesOf(RECEIVABLE_BUNDLE_OPTIONS.workflowsPath);
    const names = modules.map((m) => path.relative(path.dirname(path.dirname(m)), m)).sort();
    expect(names).toEqual([
      'correspondence/contract.ts',
      'correspondence/correspondence.workflow.ts',
      'receivable/contract.ts',
      'receivable/receivable.workflow.ts',
      'receivable/recorded-state.ts',
      'receivable/rules.ts',
      'receivable/task-queue.ts',
    ]);
    expect(Object.fromEntries(modules.map((m) => [path.basename(m), moduleStateOf(m)]))).toEqual(
      Object.fromEntries(modules.map((m) => [path.basename(m), []])),
    );
  });

  it('tell a module-level let, a collection not declared Readonly and a top-level statement apart', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'module-state-'));
    const file = path.join(dir, 'stateful.ts');
    await writeFile(
      file,
      [
        'let runs = 0;',
        'const seen = new Map<string, number>();',
        'const merged: ReadonlySet<string> = new Set(["a"]);',
        'const LABEL = { a: "b" } as const;',
        'seen.set("x", 1);',
        'export const count = () => ++runs;',
      ].join('\n'),
    );
    expect(moduleStateOf(file)).toEqual([
      'let runs',
      'const seen = new Map<string, number>() (not declared Readonly)',
      'a top-level statement: seen.set("x", 1);',
    ]);
  });
});

describe("a worker's deployment version (workers/worker.ts deploymentOf)", () => {
  it('names the bundle it runs by its SHA-256, 12 hex digits, with Worker Versioning off', async () => {
    const code = 'globalThis.__creditflow = 1;';
    const sha = createHash('sha256').update(code).digest('hex');
    expect(deploymentOf({ code })).toEqual({
      version: { deploymentName: 'creditflow', buildId: sha.slice(0, 12) },
      useWorkerVersioning: false,
    });
    // A bundle on disk reads the same; another bundle gets another build id.
    const dir = await mkdtemp(path.join(tmpdir(), 'bundle-'));
    await writeFile(path.join(dir, 'bundle.js'), code);
    expect(deploymentOf({ codePath: path.join(dir, 'bundle.js') })).toEqual(deploymentOf({ code }));
    expect(deploymentOf({ code: `${code}\n` })?.version.buildId).not.toBe(sha.slice(0, 12));
    // Workflows the SDK bundles itself: no code known before, the SDK's own build id.
    expect(deploymentOf(undefined)).toBeUndefined();
  });
});
