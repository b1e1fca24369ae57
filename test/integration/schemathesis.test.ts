/**
 * A peer's fuzzer: schemathesis (PyPI, pinned in infra/schemathesis.requirements.txt,
 * installed by `npm test` into .tools/schemathesis) reads /openapi.json and calls every
 * operation of the whole system — the HTTP API, Temporal dev server, the receivable,
 * salesperson and rating workers, PostgreSQL and SMTP — with examples, boundary
 * values, random and invalid inputs, and (where the document links operations)
 * sequences of calls. Its checks: no 5xx; every answer's status, content type and body
 * as the document says; an unsupported method answers 405 with `Allow`.
 *
 * Each operation is called as a role the operation lists (`x-roles`)
 * (test/support/schemathesis_hooks.py), on seeded master data and receivables, in a
 * database and Temporal namespace of its own (so the receivables and cycles it starts
 * disturb no other test file). Bounded: schemathesis's own time budget, and a hard limit
 * on the whole run should it hang. SCHEMATHESIS_SEED replays a run; SCHEMATHESIS_MAX_TIME (s) and
 * SCHEMATHESIS_MAX_EXAMPLES (per operation and round) scale it.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_LIMITS } from '../../api/limits.js';
import { ROLES, type Role } from '../../api/roles.js';
import { dealerRequest } from '../support/applications.js';
import type { TestAuth } from '../support/auth.js';
import { eventually, systemPerFile } from '../support/system.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PYTHON = process.env.SCHEMATHESIS_PYTHON ?? path.join(ROOT, '.tools', 'schemathesis', 'bin', 'python');
/** The whole run, schemathesis's own start included, is stopped at this. */
const HARD_LIMIT_MS = 120_000;
/** schemathesis's own time budget, in seconds: it stops generating then and reports. */
const MAX_TIME_S = Number(process.env.SCHEMATHESIS_MAX_TIME ?? 90);
const MAX_EXAMPLES = Number(process.env.SCHEMATHESIS_MAX_EXAMPLES ?? 10);
const SEED = process.env.SCHEMATHESIS_SEED ?? String(Date.now() % 2 ** 31);
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
  'unsupported_method',
];

const tag = randomUUID().slice(0, 8);
const fx = {
  dealer: `D-st-${tag}`,
  customer: `C-st-${tag}`,
  salesperson: `S-st-${tag}`,
  pending: `R-st-${tag}-pending`,
  issued: `R-st-${tag}-issued`,
};

let base: string;
let auth: TestAuth;

// Before any connection in this process.
beforeAll(() => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
});
// The fuzzer's requests all come from one address: failed-authentication limiting
// (tested in auth.test.ts) must not starve the run.
systemPerFile(
  {
    isolated: 'schemathesis',
    workers: 'all',
    policyStore: true,
    api: () => ({ limits: { ...DEFAULT_HTTP_LIMITS, authFailuresPerMinute: 100_000 } }),
  },
  async (s) => {
    ({ base, auth } = s);
    await seed();
  },
);

async function call(method: string, url: string, body: unknown, as: Role) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      ...(await auth.headers(as)),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  expect(res.status, `${method} ${url}: ${text}`).toBeLessThan(300);
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * Master data and two receivables — one awaiting approval, one issued — so operations on ids
 * reach their rules rather than only 404.
 */
async function seed() {
  await call(
    'POST',
    '/v1/counterparties',
    dealerRequest(fx.dealer, {
      name: 'Schemathesis dealer',
      email: 'dealer@st.test',
      creditLimitMinor: 1_000_000_000,
      joinedOn: '2020-01-01',
    }),
    'finance',
  );
  await call(
    'POST',
    '/v1/counterparties',
    {
      id: fx.customer,
      name: 'Schemathesis customer',
      kind: 'customer',
      email: 'customer@st.test',
      region: 'Shanghai',
      customerClass: 'B',
      creditLimitMinor: 1_000_000_000,
      creditTermDays: 60,
      joinedOn: '2020-01-01',
    },
    'finance',
  );
  await call(
    'POST',
    '/v1/salespeople',
    { id: fx.salesperson, name: 'Schemathesis seller', email: 'seller@st.test', region: 'Shanghai' },
    'finance',
  );
  for (const receivableId of [fx.pending, fx.issued])
    await call(
      'POST',
      '/v1/credit-applications',
      { receivableId, counterpartyId: fx.dealer, salespersonId: fx.salesperson, amountMinor: 1_000_000 },
      'finance',
    );
  // Who decides is the credential: no body names the actor.
  const url = `/v1/receivables/${fx.issued}/decisions`;
  await eventually(
    async () => (await call('GET', `/v1/receivables/${fx.issued}`, undefined, 'finance')).stage,
    (stage) => stage === 'awaiting-approval',
    `${fx.issued} awaiting approval`,
  );
  await call(
    'POST',
    url,
    {
      department: 'finance',
      approve: true,
      approvedAmountMinor: 1_000_000,
      approvedTermDays: 60,
    },
    'finance',
  );
  const issued = await call('POST', url, { department: 'marketing', approve: true }, 'marketing');
  expect(issued.stage).toBe('issued');
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

function schemathesis(args: string[], env: Record<string, string>, cwd: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-m', 'schemathesis.cli', ...args], {
      env: { ...process.env, ...env, NO_COLOR: '1', PYTHONUNBUFFERED: '1' },
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: HARD_LIMIT_MS,
      killSignal: 'SIGKILL',
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', (err) =>
      reject(
        new Error(
          `could not run schemathesis with ${PYTHON} (npm test installs it: infra/scripts/ensure.sh ensure_schemathesis): ${err.message}`,
        ),
      ),
    );
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
}

describe('schemathesis on /openapi.json', () => {
  it(
    'finds no failure in any operation',
    async () => {
      const tokens: Record<string, string> = {};
      for (const role of ROLES) {
        tokens[role] = role === 'sales' ? await auth.token(role, fx.salesperson) : await auth.token(role);
      }
      // The last run's report (NDJSON: every request and answer) and schemathesis's own cache
      // stay here, out of the repository, until the next run.
      const reportDir = path.join(ROOT, '.data', 'test', 'schemathesis-last');
      await rm(reportDir, { recursive: true, force: true });
      await mkdir(reportDir, { recursive: true });
      const config = path.join(reportDir, 'schemathesis.toml');
      await writeFile(config, schemathesisConfig());
      const started = Date.now();
      const run = await schemathesis(
        [
          '--config-file',
          config,
          'run',
          `${base}/openapi.json`,
          '--checks',
          CHECKS.join(','),
          '--phases',
          'examples,coverage,fuzzing,stateful',
          // schemathesis shares this budget among its phases (stateful included) and repeats
          // fuzzing until it is spent, then reports; the hard limit above only guards a hang.
          '--max-time',
          String(MAX_TIME_S),
          '--max-examples',
          String(MAX_EXAMPLES),
          '--seed',
          SEED,
          // One worker: Python 3.11's parser is not thread-safe (hypothesis parses
          // lambdas' source while describing strategies: "AST constructor recursion depth mismatch").
          '--workers',
          '1',
          '--request-timeout',
          '30',
          '--continue-on-failure',
          '--generation-allow-x00',
          'true',
          '--report',
          'ndjson',
          '--report-dir',
          reportDir,
          '--no-color',
          '--output-truncate',
          'true',
        ],
        {
          SCHEMATHESIS_HOOKS: path.join(ROOT, 'test', 'support', 'schemathesis_hooks.py'),
          CREDITFLOW_TOKENS: JSON.stringify(tokens),
        },
        reportDir,
      );
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      // Its whole output stays beside the report; the run's log gets one line of our own.
      // (Its closing banner, "=== N warnings in S s ===", is pytest's form: a CI reading the
      // log would take it for a pytest run that ran no test.)
      const outputFile = path.join(reportDir, 'output.txt');
      await writeFile(outputFile, run.output);
      const cases = /Test cases:\s*\n\s*(.+)/.exec(run.output)?.[1]?.trim() ?? 'no count printed';
      console.log(
        `schemathesis (seed ${SEED}, ${seconds} s, exit ${run.code}): test cases ${cases}; its output: ${outputFile}`,
      );
      expect(run.signal, `schemathesis was stopped after ${HARD_LIMIT_MS} ms:\n${run.output}`).toBeNull();
      expect(run.code, `schemathesis reported failures or errors:\n${run.output}`).toBe(0);
    },
    HARD_LIMIT_MS + 30_000,
  );
});

/**
 * The seeded ids, as dictionaries schemathesis draws path parameters from most of the time
 * (generated ids, mostly unknown, the rest).
 */
function schemathesisConfig(): string {
  const list = (...ids: string[]) => `{ values = [${ids.map((id) => JSON.stringify(id)).join(', ')}] }`;
  const seeded = (pathRegex: string, parameter: string, dictionary: string) => `
[[operations]]
include-path-regex = ${JSON.stringify(pathRegex)}
parameters = { "path.${parameter}" = { dictionary = "${dictionary}", probability = 0.8 } }
`;
  return `
[dictionaries]
receivables = ${list(fx.pending, fx.issued)}
counterparties = ${list(fx.dealer, fx.customer)}
dealers = ${list(fx.dealer)}
customers = ${list(fx.customer)}
salespeople = ${list(fx.salesperson)}
templateKinds = ${list('payment-reminder', 'overdue-warning-letter', 'dealer-grade', 'statement')}
templateLanguages = ${list('zh-CN', 'en', 'fr')}
${seeded('^/v1/receivables/\\{id\\}', 'id', 'receivables')}
${seeded('^/v1/counterparties/\\{id\\}', 'id', 'counterparties')}
${seeded('^/v1/dealers/\\{id\\}', 'id', 'dealers')}
${seeded('^/v1/customers/\\{id\\}', 'id', 'customers')}
${seeded('^/v1/salespeople/\\{id\\}', 'id', 'salespeople')}
${seeded('^/v1/salesperson-reviews/\\{quarter\\}/\\{salespersonId\\}', 'salespersonId', 'salespeople')}
[[operations]]
include-path-regex = "^/v1/templates/\\\\{kind\\\\}/\\\\{language\\\\}"
parameters = { "path.kind" = { dictionary = "templateKinds", probability = 0.8 }, "path.language" = { dictionary = "templateLanguages", probability = 0.8 } }
`;
}
