/**
 * The portal's promise rules (domain/portal.ts), the debtor actor (domain/actor.ts), and the
 * workspace's password hashing (store/sessions.ts: salted scrypt) and session cookie.
 */
import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { sessionCookie } from '../../api/plugins/authentication.js';
import { actorSource, debtorActor, describeActor } from '../../domain/actor.js';
import { DEFAULT_POLICY } from '../../domain/policy.js';
import { DEFAULT_PORTAL_POLICY, portalPolicy, promiseRefusal } from '../../domain/portal.js';
import { hashPassword, verifyPassword } from '../../store/sessions.js';

describe('promise to pay through the portal', () => {
  const rules = DEFAULT_PORTAL_POLICY;
  it('takes a date from today up to promiseMaxDaysAhead days ahead', () => {
    expect(promiseRefusal('2026-03-01', '2026-03-01', 0, rules)).toBeNull();
    expect(promiseRefusal('2026-03-31', '2026-03-01', 0, rules)).toBeNull();
  });
  it('refuses a past date, one too far ahead, a non-date, and one promise too many, naming promisedBy', () => {
    expect(promiseRefusal('2026-02-28', '2026-03-01', 0, rules)).toMatch(/^promisedBy: .*already past/);
    expect(promiseRefusal('2026-04-01', '2026-03-01', 0, rules)).toBe(
      'promisedBy: at most 30 days ahead (by 2026-03-31)',
    );
    expect(promiseRefusal('soon', '2026-03-01', 0, rules)).toMatch(/^promisedBy: must be a calendar date/);
    expect(promiseRefusal('2026-03-05', '2026-03-01', 2, rules)).toMatch(/^promisedBy: .*2 promises/);
  });
  it('a policy stored before the portal section existed uses the defaults', () => {
    expect(portalPolicy(DEFAULT_POLICY)).toEqual(DEFAULT_PORTAL_POLICY);
    expect(portalPolicy({ portal: { ...DEFAULT_PORTAL_POLICY, linkDays: 7 } }).linkDays).toBe(7);
  });
});

describe('the debtor actor', () => {
  const a = debtorActor('D-1', '华东经销商', 'link0000000000ab');
  it('is the counterparty, traced to the link it came through', () => {
    expect(a).toEqual({
      credentialId: 'portal:link0000000000ab',
      username: 'debtor:D-1',
      name: '华东经销商',
      role: 'debtor',
      counterpartyId: 'D-1',
    });
    expect(actorSource(a)).toBe('debtor:D-1');
    expect(describeActor(a)).toBe('华东经销商 (debtor:D-1, via portal)');
  });
});

describe('passwords', () => {
  it('are salted scrypt hashes: the same password hashes differently, verifies, and a wrong one does not', async () => {
    const [one, two] = await Promise.all([hashPassword('correct horse'), hashPassword('correct horse')]);
    expect(one).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(one).not.toBe(two);
    expect(await verifyPassword('correct horse', one)).toBe(true);
    expect(await verifyPassword('correct horsf', one)).toBe(false);
    expect(await verifyPassword('correct horse', 'md5$abc')).toBe(false);
  });
});

describe('the session cookie', () => {
  async function cookieOver(forwardedProto: string | undefined) {
    const app = Fastify({ trustProxy: true });
    await app.register(cookie);
    app.get('/', async (req) => sessionCookie(req, 'x'.repeat(43), 3600));
    const res = await app.inject({
      url: '/',
      headers: forwardedProto ? { 'x-forwarded-proto': forwardedProto } : {},
    });
    await app.close();
    return res.body;
  }
  it('is HttpOnly and SameSite=Lax always, Secure when the request came over TLS', async () => {
    const plain = await cookieOver(undefined);
    expect(plain).toContain('HttpOnly');
    expect(plain).toContain('SameSite=Lax');
    expect(plain).not.toContain('Secure');
    expect(await cookieOver('https')).toContain('Secure');
  });
});
