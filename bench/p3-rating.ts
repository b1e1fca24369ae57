/**
 * P3 — the quarterly rating of N dealers: their quarter's figures seeded in
 * PostgreSQL in bulk, the cycle triggered through the API as a person would
 * (`POST /v1/rating-cycles/quarter/:quarter`), wall time until its workflow completes.
 */
import { localDate } from '../domain/calendar.js';
import { DEFAULT_POLICY } from '../domain/policy.js';
import { previousQuarter, quarterMonths, quarterOf } from '../domain/rating-cycle.js';
import { createBulkSeeding } from '../store/bulk.js';
import type { QuarterlyRatingResult } from '../workflows/rating/contract.js';
import type { BenchEnv } from './env.js';
import { say } from './env.js';
import { type Figure, fmt, type RunOptions } from './figure.js';
import { cpuPerUnit, describeCpu, sampleCpu, settleMachine } from './procs.js';
import { seedDealers, seedRatingFigures } from './seed.js';

export async function measureP3(env: BenchEnv, opts: RunOptions): Promise<Figure> {
  const n = opts.n;
  const quarter = previousQuarter(quarterOf(localDate(Date.now(), DEFAULT_POLICY.timeZone)));
  say(`P3: seeding ${n} dealers with ${quarter}'s figures…`);
  const s0 = Date.now();
  // Rated BB last time round: a new result other than BB changes the grade and mails the dealer.
  const dealers = await seedDealers(env.pool, 'P3', n, 'BB');
  await seedRatingFigures(env.pool, dealers, quarter, quarterMonths(quarter));
  const seedSeconds = (Date.now() - s0) / 1000;
  // The phase before (P1's rejections, closing thousands of receivables) and the seeding
  // leave work behind, which P3 measured over it ran a quarter slower for (docs/benchmarks.md).
  const idle = await settleMachine();

  say(`P3: rating ${quarter}…`);
  const cpu0 = await sampleCpu(env.cpuGroups);
  const t0 = Date.now();
  const res = await fetch(`${env.apiUrl}/v1/rating-cycles/quarter/${quarter}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.financeToken}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (res.status !== 202) throw new Error(`P3: trigger answered ${res.status}: ${await res.text()}`);
  const { workflowId } = (await res.json()) as { workflowId: string };
  const result = (await env.client.workflow.getHandle(workflowId).result()) as QuarterlyRatingResult;
  const seconds = (Date.now() - t0) / 1000;
  const cpu1 = await sampleCpu(env.cpuGroups);
  const mailed = await createBulkSeeding(env.pool).effectsDone(`rating:${quarter}:P3-%:grade-mail`);
  const allRated = result.rated >= n;

  return {
    id: 'P3',
    name: `quarterly rating (N=${n})`,
    value: allRated ? `${fmt(seconds, 1)} s` : `${result.rated} of ${n} rated in ${fmt(seconds, 1)} s`,
    target: '≤ 45 s',
    pass: allRated && seconds <= 45,
    how: `${n} dealers × (36 monthly + 8 conduct scores + sales) seeded by SQL; once the machine was idle, POST /v1/rating-cycles/quarter/${quarter} until workflow ${workflowId} completed (batches of 200: gather, rate, write with credit record, mail changed grades)`,
    notes: [
      `P3: seeded in ${fmt(seedSeconds, 1)} s${idle ? '' : ' (the machine not idle 120 s later: measured anyway)'}; ${result.rated} rated, ${result.changed} changed, ${mailed} dealers mailed, ${result.skippedCount} skipped (dealers of other figures, no scores); ${describeCpu(cpu0, cpu1)}; ${cpuPerUnit(cpu0, cpu1, result.rated, 'dealer')}`,
    ],
  };
}
