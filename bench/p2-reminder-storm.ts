/**
 * P2 — the reminder storm: N receivables spread over N/20 debtors whose due−7 reminder
 * falls on the same instant. They are imported with a due date 7 days ahead and a bench
 * policy whose business time (hour and minute, company zone) is a minute or two after all
 * N are parked, so every reminder timer fires at once. Reminders are grouped per debtor and
 * day (docs/correspondence.md), gathered for the policy's window (`--gather-minutes`,
 * default 0.5). Measured: seconds from that instant until the SMTP server has accepted
 * every debtor's message, and that each receivable's reminder (an item key listed in a
 * message's `X-Creditflow-Items`) is in exactly one message.
 */
import { addDays, localDate } from '../domain/calendar.js';
import { DEFAULT_POLICY, type Policy } from '../domain/policy.js';
import type { BenchEnv } from './env.js';
import { say } from './env.js';
import { type Figure, fmt, type RunOptions, sleep, waitFor } from './figure.js';
import { cpuPerUnit, describeCpu, sampleCpu } from './procs.js';
import { countAtStage, importReceivables, issuedCount, waitParked } from './receivables.js';
import { seedDealers, seedSalespeople } from './seed.js';

const MINUTE = 60_000;

/** Hour and minute of `instant` in `timeZone`. */
function clockAt(instant: number, timeZone: string): { hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return { hour: get('hour'), minute: get('minute') };
}

export interface StormResult {
  figure: Figure;
  /** The storm's receivables, open (their next step is due+1, 8 days away). */
  ids: string[];
}

export async function measureP2(env: BenchEnv, opts: RunOptions): Promise<StormResult> {
  const n = opts.n;
  const tz = DEFAULT_POLICY.timeZone;
  const dealers = await seedDealers(env.pool, 'P2', Math.max(1, Math.ceil(n / 20)));
  const gatherMinutes = opts.gatherMinutes ?? 0.5;
  const [salesperson] = await seedSalespeople(env.pool, 'P2', 1);
  const parties = { dealers, salesperson: salesperson as string };
  const concurrency = 32;

  // How fast do imports start and park here, now? A small batch tells, so the storm's
  // instant can be set before the N start (it is in their policy).
  const c = Math.min(200, Math.max(20, Math.round(n / 20)));
  say(`P2: calibrating the import rate with ${c} receivables…`);
  const t0 = Date.now();
  await importReceivables(env, {
    prefix: 'P2C',
    n: c,
    ...parties,
    policy: { ...DEFAULT_POLICY, version: 'bench-calibration' },
    dueDate: addDays(localDate(Date.now(), tz), 60),
    concurrency,
  });
  await waitParked(env, 'P2C', c, 300_000);
  const ratePerSecond = c / ((Date.now() - t0) / 1000);

  const leadMs = (n / ratePerSecond) * 1.5 * 1000 + 45_000;
  const stormAt = Math.ceil((Date.now() + leadMs) / MINUTE) * MINUTE;
  const { hour, minute } = clockAt(stormAt, tz);
  const policy: Policy = {
    ...DEFAULT_POLICY,
    version: `bench-storm-${hour}${String(minute).padStart(2, '0')}`,
    receivable: { ...DEFAULT_POLICY.receivable, businessHour: hour, businessMinute: minute },
    // The storm is the instant itself, whichever day the bench runs on (a weekend, a holiday).
    calendar: { registry: 'CN', nonWorkingDay: 'as-is', entries: [] },
    correspondence: { gatherMinutes },
  };
  const dueDate = addDays(localDate(stormAt, tz), 7);
  say(
    `P2: importing ${n} receivables due ${dueDate} (calibrated ${fmt(ratePerSecond, 0)}/s); reminders at ${new Date(stormAt).toISOString()}…`,
  );
  const i0 = Date.now();
  const import0 = await sampleCpu(env.cpuGroups);
  const ids = await importReceivables(env, { prefix: 'P2', n, ...parties, policy, dueDate, concurrency });
  const startSeconds = (Date.now() - i0) / 1000;
  const parked = await waitParked(env, 'P2', n, Math.max(0, stormAt - Date.now() - 5_000));
  const parkSeconds = (Date.now() - i0) / 1000;
  const import1 = await sampleCpu(env.cpuGroups);
  const importNote = `P2 setup: ${n} imports started in ${fmt(startSeconds, 0)} s, all parked after ${fmt(parkSeconds, 0)} s (${fmt(n / parkSeconds, 0)}/s), storm ${fmt((stormAt - Date.now()) / 1000, 0)} s later; ${cpuPerUnit(import0, import1, n, 'import')}`;
  if (!parked) {
    const issued = await issuedCount(env, 'P2');
    return {
      ids,
      figure: {
        id: 'P2',
        name: `reminder storm (N=${n})`,
        value: 'not measured',
        target: '≤ 120 s',
        pass: null,
        how: `only ${issued} of ${n} parked before the storm instant; the calibration underestimated`,
        notes: [importNote],
      },
    };
  }

  await sleep(Math.max(0, stormAt - Date.now()));
  say(`P2: the storm: ${n} reminders due now…`);
  const cpu0 = await sampleCpu(env.cpuGroups);
  const wanted = new Set(ids.map((id) => `${id}:reminder`));
  /** The debtors' messages listing a storm reminder, and those items. */
  const messages = () =>
    env.mail
      .messages()
      .filter((m) => m.effectKey?.startsWith('correspondence:'))
      .map((m) => ({ m, items: (m.items ?? []).filter((k) => wanted.has(k)) }))
      .filter((x) => x.items.length > 0);
  const itemCount = () => messages().reduce((a, x) => a + x.items.length, 0);
  const timeoutMs = 600_000 + n * 60;
  let lastLog = Date.now();
  while (Date.now() - stormAt < timeoutMs) {
    const got = itemCount();
    if (got >= n) break;
    if (Date.now() - lastLog > 15_000) {
      say(
        `P2: ${got} of ${n} reminders in debtors' messages after ${fmt((Date.now() - stormAt) / 1000, 0)} s`,
      );
      lastLog = Date.now();
    }
    await sleep(500);
  }
  const cpu1 = await sampleCpu(env.cpuGroups);
  await sleep(5_000); // a late duplicate would show here
  const got = messages();
  const perKey = new Map<string, number>();
  for (const x of got) for (const k of x.items) perKey.set(k, (perKey.get(k) ?? 0) + 1);
  const missing = [...wanted].filter((k) => !perKey.has(k)).length;
  const duplicated = [...perKey.values()].filter((v) => v > 1).length;
  const debtors = new Set(got.map((x) => x.m.effectKey?.split(':')[1])).size;
  const times = got.map((x) => Date.parse(x.m.receivedAt)).sort((a, b) => a - b);
  const first = ((times[0] ?? Number.NaN) - stormAt) / 1000;
  const last = ((times[times.length - 1] ?? Number.NaN) - stormAt) / 1000;
  const exactlyOnce = missing === 0 && duplicated === 0;
  const half = ((times[Math.floor(times.length / 2)] ?? Number.NaN) - stormAt) / 1000;
  // The step goes on after the reminder (the phone task, the step's record): the next
  // figures are measured once every receivable has recorded it.
  const stepped = await waitFor(async () => (await countAtStage(env, 'P2', 'reminded')) >= n, timeoutMs);
  const steppedAfter = (Date.now() - stormAt) / 1000;

  return {
    ids,
    figure: {
      id: 'P2',
      name: `reminder storm (N=${n})`,
      value: missing
        ? `${missing} of ${n} missing after ${fmt(timeoutMs / 1000, 0)} s`
        : `${fmt(last, 1)} s, ${exactlyOnce ? 'each once' : `${duplicated} sent twice`}`,
      target: '≤ 120 s, each once',
      pass: exactlyOnce && last <= 120,
      how: `${n} imported receivables over ${dealers.length} debtors, due in 7 days, policy business time = one shared minute, grouped per debtor and day (gathering ${gatherMinutes} min); from that instant to the SMTP server's receipt of the last debtor's message; each reminder counted per item key (X-Creditflow-Items) across the debtors' messages in the mail store (5 s grace for duplicates)`,
      notes: [
        importNote,
        `P2 storm: ${got.length} messages to ${debtors} of ${dealers.length} debtors; first message +${fmt(first, 1)} s, half +${fmt(half, 1)} s, last +${fmt(last, 1)} s (${fmt(n / last, 0)} reminders/s, the first ${gatherMinutes * 60} s of it gathering); ${describeCpu(cpu0, cpu1)}; ${cpuPerUnit(cpu0, cpu1, n, 'reminder')} (with the phone task and the credit record of each step); ${stepped ? 'every step recorded' : 'steps still unrecorded'} at +${fmt(steppedAfter, 0)} s`,
      ],
    },
  };
}
