/**
 * The policy store on a database of its own: POLICY_FILE seeds the first version
 * only, admin overrides apply on top of that seed, and versions stored before
 * migration 017 (overrides only) are completed without leaving force.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type Policy } from '../../domain/policy.js';
import { createPolicyStore, type PolicyStore, readPolicyInForce, resolvePolicy } from '../../infra/policy.js';
import { testActor } from '../support/actors.js';
import { type Isolated, isolatedDatabaseAndNamespace } from '../support/isolated.js';

let iso: Isolated;
const stores: PolicyStore[] = [];
const open = async (seed: Policy) => {
  const s = await createPolicyStore(iso.pool, seed, { listen: false, checkIntervalMs: 0 });
  stores.push(s);
  return s;
};
const file = (version: string, timeZone: string) =>
  resolvePolicy({ version, timeZone, receivable: { homeRegions: ['Hangzhou'] } });

beforeAll(async () => {
  iso = await isolatedDatabaseAndNamespace('policy');
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await iso?.dispose();
});

describe('policy store', () => {
  it('versions stored before 017 are completed on the seed and the newest stays in force', async () => {
    // As a database from before migration 017 holds them: the admin's overrides only.
    await iso.pool.query(
      `INSERT INTO policies (version, document, changed_by, created_at)
       VALUES ('old-1', '{"version":"old-1","receivable":{"cashDiscount":{"rateBp":200}}}', 'admin', now() - interval '2 days'),
              ('old-2', '{"version":"old-2","receivable":{"businessHour":10}}', 'admin', now() - interval '1 day')`,
    );
    const store = await open(file('acme-file-1', 'Asia/Tokyo'));
    expect(store.current().version).toBe('old-2');
    // Its overrides on top of the seed (the file on the defaults), as when it was stored.
    expect(store.current()).toMatchObject({
      timeZone: 'Asia/Tokyo',
      receivable: {
        businessHour: 10,
        homeRegions: ['Hangzhou'],
        cashDiscount: DEFAULT_POLICY.receivable.cashDiscount,
      },
    });
    expect((await store.byVersion('old-1')).receivable.cashDiscount.rateBp).toBe(200);
    expect((await store.history()).map((v) => [v.version, v.changedBy])).toEqual([
      ['acme-file-1', 'POLICY_FILE'],
      ['old-1', 'admin'],
      ['old-2', 'admin'],
    ]);
  });

  it('a process with another POLICY_FILE changes nothing; admin overrides apply on top of the seed', async () => {
    const other = await open(file('acme-file-2', 'UTC'));
    expect(other.current().version).toBe('old-2');
    expect((await other.history()).map((v) => v.version)).not.toContain('acme-file-2');

    const next = await other.replace(
      { version: 'acme-3', salesperson: { limitWarningBp: 7_000 } },
      testActor('admin'),
    );
    // The first file's values stay (the seed), not the second process's file.
    expect(next).toMatchObject({ timeZone: 'Asia/Tokyo', salesperson: { limitWarningBp: 7_000 } });
    expect(next.receivable.homeRegions).toEqual(['Hangzhou']);
    expect((await readPolicyInForce(iso.pool)).version).toBe('acme-3');
    expect(other.current().version).toBe('acme-3');
  });
});
