/**
 * A receivable test bench: Temporal's time-skipping test server (Java, through
 * the launcher infra/scripts/ensure.sh writes), a worker running the real
 * workflow bundle and the real activities against PostgreSQL and the SMTP
 * server that global-setup started, plus helpers to seed data, move the clock
 * and read what happened on which day.
 */
import { randomUUID } from 'node:crypto';
import { type WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { expect, inject } from 'vitest';
import {
  createReceivableActivities,
  type NewReceivable,
  type StepCorrespondence,
  type TimelineStepInput,
} from '../../activities/receivable/activities.js';
import { receivableStartOptions } from '../../api/receivable-start.js';
import { instantAt, localDate, localDateTime } from '../../domain/calendar.js';
import { DEFAULT_POLICY, type Policy } from '../../domain/policy.js';
import type { CalendarPolicy } from '../../domain/working-days.js';
import type { StoredMessage } from '../../infra/local/mail-server.js';
import { createPolicyLookup } from '../../infra/policy.js';
import { createOperations } from '../../operations/index.js';
import { createPool, type Pool } from '../../store/db.js';
import { createStore } from '../../store/index.js';
import { deploymentOf } from '../../workers/worker.js';
import {
  type ApplicationDecision,
  type ApplicationNotice,
  decideApplication,
  getReceivable,
  type ImportedInvoice,
  NOTICE_ACTIVITY,
  RECEIVABLE_TASK_QUEUE,
  type ReceivableInput,
  type ReceivableState,
  receivableRunPolicy,
  recordPayment,
} from '../../workflows/receivable/contract.js';
import { receivableWorkflow } from '../../workflows/receivable/receivable.workflow.js';
import { TEST_COMPANY, testMailer } from './acme.js';
import { testActor } from './actors.js';
import { mailsAndItems } from './inbox.js';
import { perFile } from './per-file.js';
import { seedCounterparty, seedSalesperson } from './seed.js';
import { testServerStartingAt } from './test-server-at.js';
import { startTimeSkippingServer } from './workflow-env.js';

export const TZ = DEFAULT_POLICY.timeZone;

/** China's calendar, but every step fires on its planned day (nonWorkingDay 'as-is'). */
export const PLANNED_DAYS_AS_IS: CalendarPolicy = { registry: 'CN', nonWorkingDay: 'as-is', entries: [] };

export type WorkflowStartHandle = Awaited<
  ReturnType<TestWorkflowEnvironment['client']['workflow']['start']>
> &
  WorkflowHandle<typeof receivableWorkflow>;

export interface ReceivableBench {
  env: TestWorkflowEnvironment;
  pool: Pool;
  worker: Worker;
  /** Shuts the worker down and starts a new one on the same server (a deploy or crash-restart). */
  replaceWorker(): Promise<void>;
  /** Now on the test server's clock (epoch ms). */
  now(): Promise<number>;
  today(): Promise<string>;
  /** Skips the test server's clock forward to `instant` (epoch ms). */
  advanceTo(instant: number): Promise<void>;
  seedDealer(over?: Partial<DealerSeed>): Promise<string>;
  seedSalesperson(over?: { creditLimitMinor?: number | null; region?: string }): Promise<string>;
  /** A new dealer and salesperson for one receivable. */
  seedParties(
    dealer?: Partial<DealerSeed>,
    seller?: { creditLimitMinor?: number | null; region?: string },
  ): Promise<{ counterpartyId: string; salespersonId: string }>;
  start(
    app: { counterpartyId: string; salespersonId: string; amountMinor: number; termDays: number },
    options?: { policy?: Policy; continueAsNewAfterEvents?: number; imported?: ImportedInvoice },
  ): Promise<WorkflowStartHandle>;
  /** Finance approves (amount, term) and marketing approves: the receivable is issued. */
  approve(h: WorkflowHandle, amountMinor: number, termDays: number): Promise<ReceivableState>;
  state(h: WorkflowHandle): Promise<ReceivableState>;
  /**
   * Local date-times (company zone) at which each activity type was scheduled; a grouped step's
   * items (queueStepCorrespondence) also under their step: 'reminder', 'phone-task', 'warning-letter'….
   */
  activityTimes(h: WorkflowHandle): Promise<Record<string, string[]>>;
  /** The receivable's mails, and its items in grouped messages (each read under its item key). */
  mailsFor(receivableId: string): Promise<StoredMessage[]>;
  teardown(): Promise<void>;
}

interface DealerSeed {
  kind: 'dealer' | 'customer';
  region: string;
  creditGrade: string | null;
  customerClass: string | null;
  creditLimitMinor: number;
  creditTermDays: number | null;
  joinedOn: string;
  language: 'zh-CN' | 'en';
}

/** `startAt`: the test server's clock starts there (epoch ms) instead of now (test-server-at.ts). */
export async function startReceivableBench(opts: { startAt?: number } = {}): Promise<ReceivableBench> {
  const env = await startTimeSkippingServer(
    opts.startAt === undefined ? undefined : testServerStartingAt(opts.startAt),
  );
  const pool = createPool(inject('databaseUrl'), 5);
  const store = createStore(pool);
  const mailer = testMailer();
  // The policies the bench's workflows started under: their activities resolve the version
  // each workflow recorded, as a worker resolves stored versions from PostgreSQL.
  const started = new Map<string, Policy>([[DEFAULT_POLICY.version, DEFAULT_POLICY]]);
  const newWorker = () =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue: RECEIVABLE_TASK_QUEUE,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      // The build id the workers write, as production's (workers/worker.ts).
      workerDeploymentOptions: deploymentOf({ codePath: inject('workflowBundlePath') }),
      // No workflow cache, hence no sticky task queue: the Java test server would hold a
      // replaced worker's sticky tasks with its clock locked. Every activation replays
      // the full history, which also checks determinism on every step.
      maxCachedWorkflows: 0,
      activities: createReceivableActivities({
        store,
        operations: createOperations(store),
        mailer,
        company: TEST_COMPANY,
        policies: createPolicyLookup(pool, { known: started }),
      }),
    });
  let worker = await newWorker();
  let running = worker.run();

  const now = () => env.currentTimeMs();
  const bench: ReceivableBench = {
    env,
    pool,
    get worker() {
      return worker;
    },
    async replaceWorker() {
      worker.shutdown();
      await running;
      worker = await newWorker();
      running = worker.run();
    },
    now,
    today: async () => localDate(await now(), TZ),
    async advanceTo(instant) {
      const delta = instant - (await now());
      if (delta > 0) await env.sleep(delta);
    },
    seedDealer: (over = {}) =>
      seedCounterparty(pool, {
        id: `CP-${randomUUID().slice(0, 8)}`,
        kind: over.kind ?? 'dealer',
        language: over.language ?? 'en',
        region: over.region ?? 'Hangzhou',
        creditGrade: over.creditGrade === undefined ? 'AB' : over.creditGrade,
        customerClass: over.customerClass ?? null,
        creditLimitMinor: over.creditLimitMinor ?? 100_000_000,
        creditTermDays: over.creditTermDays ?? 60,
        joinedOn: over.joinedOn ?? '2024-01-15',
      }),
    seedSalesperson: (over = {}) =>
      seedSalesperson(pool, {
        id: `SP-${randomUUID().slice(0, 8)}`,
        region: over.region ?? 'Shanghai',
        phone: '+86 21 5555 0000',
        creditLimitMinor: over.creditLimitMinor ?? null,
      }),
    async seedParties(dealer = {}, seller = {}) {
      return {
        counterpartyId: await bench.seedDealer(dealer),
        salespersonId: await bench.seedSalesperson(seller),
      };
    },
    async start(app, options = {}) {
      const receivableId = `R-${randomUUID().slice(0, 8)}`;
      if (options.policy) started.set(options.policy.version, options.policy);
      // The timeline tests count days from the day they run, which may be any day of the
      // week or a holiday: a policy that names no calendar keeps its steps on their planned
      // days here (as-is). The working-day tests (receivable-working-days) give theirs.
      const policy = options.policy ?? DEFAULT_POLICY;
      const input: ReceivableInput = {
        application: {
          receivableId,
          counterpartyId: app.counterpartyId,
          salespersonId: app.salespersonId,
          amountMinor: app.amountMinor,
          currency: 'CNY',
          requestedTermDays: app.termDays,
        },
        policy: receivableRunPolicy(policy.calendar ? policy : { ...policy, calendar: PLANNED_DAYS_AS_IS }),
        ...(options.continueAsNewAfterEvents
          ? { continueAsNewAfterEvents: options.continueAsNewAfterEvents }
          : {}),
        ...(options.imported ? { imported: options.imported } : {}),
      };
      // Started as the API starts a receivable: the same id, search attributes and summary.
      return env.client.workflow.start(receivableWorkflow, receivableStartOptions(input));
    },
    async approve(h, amountMinor, termDays) {
      await decide(h, approvalBy('finance', 'fin', amountMinor, termDays));
      return decide(h, { department: 'marketing', approve: true, actor: testActor('marketing', 'mkt') });
    },
    state: (h) => h.query(getReceivable),
    async activityTimes(h) {
      const history = await h.fetchHistory();
      const out: Record<string, string[]> = {};
      for (const e of history.events ?? []) {
        const scheduled = e.activityTaskScheduledEventAttributes;
        const type = scheduled?.activityType?.name;
        if (!type || !e.eventTime) continue;
        const ms = Number(e.eventTime.seconds ?? 0) * 1000 + Math.floor((e.eventTime.nanos ?? 0) / 1e6);
        const at = localDateTime(ms, TZ);
        out[type] = [...(out[type] ?? []), at];
        // A grouped step's notice and tasks: also under each item's step (docs/correspondence.md).
        if (type === 'queueStepCorrespondence') {
          const data = scheduled?.input?.payloads?.[0]?.data;
          const arg = data
            ? (JSON.parse(Buffer.from(data).toString('utf8')) as StepCorrespondence)
            : undefined;
          for (const step of [
            ...(arg?.debtorNotice ? [arg.debtorNotice] : []),
            ...(arg?.salespersonTasks ?? []),
          ])
            out[step] = [...(out[step] ?? []), at];
        }
        // A lean run's step is one activity: its parts are read under their old activities' names.
        if (type === 'takeTimelineStep') {
          const data = scheduled?.input?.payloads?.[0]?.data;
          const arg = data
            ? (JSON.parse(Buffer.from(data).toString('utf8')) as TimelineStepInput)
            : undefined;
          for (const part of [
            ...(arg?.debtorNotice ? [arg.debtorNotice] : []),
            ...(arg?.salespersonTasks ?? []),
            ...(arg?.escalateToCreditDesk ? ['handOverToCreditDesk', 'stopSupply', 'lowerCreditGrade'] : []),
            ...(arg?.startLegalAction ? ['startLegalAction'] : []),
          ])
            out[part] = [...(out[part] ?? []), at];
        }
        // Runs from `issued-in-one-activity`: the issue's parts under their old activities' names.
        if (type === 'issueReceivable')
          for (const part of ['recordReceivableEvent', 'notifyApplicationDecision', 'sendCreditTerms'])
            out[part] = [...(out[part] ?? []), at];
        // Runs from `application-in-two-activities`: each part under its old activity's name.
        if (type === 'fileAndCheckReceivable' || type === 'recordAndNotify') {
          const data = scheduled?.input?.payloads?.[0]?.data;
          const arg = data ? JSON.parse(Buffer.from(data).toString('utf8')) : undefined;
          const parts =
            type === 'fileAndCheckReceivable'
              ? [
                  (arg as NewReceivable).imported ? 'recordImportedReceivable' : 'recordApplication',
                  'runAutomaticChecks',
                ]
              : ['recordReceivableEvent', NOTICE_ACTIVITY[(arg as { notice: ApplicationNotice }).notice]];
          for (const part of parts) out[part] = [...(out[part] ?? []), at];
        }
      }
      return out;
    },
    mailsFor: (receivableId) => mailsAndItems(`${receivableId}:`),
    async teardown() {
      worker.shutdown();
      await running;
      mailer.close();
      await pool.end();
      await env.teardown();
    },
  };
  return bench;
}

/**
 * The bench for the calling test file: started before its first test, torn down after its
 * last (see per-file.ts).
 */
export const receivableBenchPerFile = (opts: { startAt?: number } = {}): ReceivableBench =>
  perFile(
    () => startReceivableBench(opts),
    (bench) => bench.teardown(),
  );

/**
 * A vote on the application, as the API passes it on after authenticating the voter, and the
 * receivable it left, as the API reads it after the Update's receipt.
 */
export const decide = async (h: WorkflowHandle, decision: ApplicationDecision): Promise<ReceivableState> => {
  await h.executeUpdate(decideApplication, { args: [decision] });
  return h.query(getReceivable);
};

/** Finance records a payment of `amountMinor` made on `paidOn`. */
export const pay = (h: WorkflowHandle, paymentId: string, amountMinor: number, paidOn: string) =>
  h.executeUpdate(recordPayment, { args: [{ paymentId, amountMinor, paidOn, actor: testActor('finance') }] });

/** Finance's (or a manager's) approval by `username`, fixing the amount and the term. */
export const approvalBy = (
  department: 'finance' | 'manager',
  username: string,
  approvedAmountMinor: number,
  approvedTermDays: number,
): ApplicationDecision => ({
  department,
  approve: true,
  actor: testActor(department, username),
  approvedAmountMinor,
  approvedTermDays,
});

/** A department's (or a manager's) rejection by `username`, giving `reason`. */
export const rejectionBy = (
  department: ApplicationDecision['department'],
  username: string,
  reason: string,
): ApplicationDecision => ({ department, approve: false, actor: testActor(department, username), reason });

/** 'YYYY-MM-DD 09:00' — the business hour on `date`. */
export const at9 = (date: string) =>
  `${date} ${String(DEFAULT_POLICY.receivable.businessHour).padStart(2, '0')}:00`;
export const instantOf = (date: string, hour: number) => instantAt(date, hour, TZ);

/** The update was refused by its validator with a message matching `pattern`. */
export async function expectRefused(update: Promise<unknown>, pattern: RegExp): Promise<void> {
  const err = await update.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof WorkflowUpdateFailedError))
    throw new Error(`expected a refused update, got ${String(err)}`);
  expect(err.cause?.message).toMatch(pattern);
}
