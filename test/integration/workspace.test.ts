/**
 * The workspace's sign-in and the debtor portal through HTTP against the real API, Temporal and
 * PostgreSQL: the session cookie's flags, CSRF refusal for a signed-in change (bearer calls need
 * none), lockout after repeated failures, sign-out; and a portal link's scope — its own
 * counterparty's items and acts only, a promise recorded on the workflow with the debtor as
 * actor, "we have paid" a task for finance that settles nothing, revoked and unknown links
 * answering with no data.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCredentialsCommand } from '../../api/credentials.js';
import { createOperations } from '../../operations/index.js';
import { createStore } from '../../store/index.js';
import { fileFor, issue, seedParties } from '../support/applications.js';
import { createPerson } from '../support/auth.js';
import { compact, pdfText } from '../support/pdf.js';
import { eventually, systemPerFile } from '../support/system.js';

const system = systemPerFile({ worker: true, poolSize: 4 });
const suffix = randomUUID().slice(0, 8);
const PASSWORD = 'correct horse battery';

async function signIn(username: string, password: string) {
  const res = await fetch(`${system.base}/app/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return { res, body: (await res.json()) as Record<string, unknown> };
}

const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

describe('sessions', () => {
  const login = `fin-${suffix}`;
  beforeAll(async () => {
    await createPerson(system.pool, 'finance', login, '李丽');
    // As `npm run credentials -- password <login>` sets it, the password read from standard input.
    const store = createStore(system.pool);
    const set = (password: string) =>
      runCredentialsCommand(store.credentials, ['password', login], {
        sessions: store.sessions,
        read: async () => `${password}\n`,
      });
    await expect(set('short')).rejects.toThrow(/at least 10 characters/);
    expect(await set(PASSWORD)).toBe(`password set for ${login}: they sign in at /app`);
  });

  it('signs in with a password: an HttpOnly, SameSite=Lax session cookie, the same principal as the bearer token', async () => {
    const { res, body } = await signIn(login, PASSWORD);
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^cf_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Secure'); // plain HTTP here; over TLS it is Secure
    expect(body.principal).toMatchObject({ name: login, displayName: '李丽', role: 'finance' });
    const work = await fetch(`${system.base}/v1/my-work`, { headers: { cookie: cookieOf(res) } });
    expect(work.status).toBe(200);
    expect(((await work.json()) as { role: string }).role).toBe('finance');
  });

  it('refuses a signed-in change without its CSRF token, takes it with; a bearer change needs none', async () => {
    const { res, body } = await signIn(login, PASSWORD);
    const cookie = cookieOf(res);
    const put = (headers: Record<string, string>) =>
      fetch(`${system.base}/v1/me/language`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ language: 'en' }),
      });
    const refused = await put({ cookie });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('csrf');
    expect((await put({ cookie, 'x-csrf-token': 'not-the-token' })).status).toBe(403);
    expect((await put({ cookie, 'x-csrf-token': String(body.csrfToken) })).status).toBe(200);
    expect((await put(await system.auth.headers('finance'))).status).toBe(200);
    // The language is remembered with the person.
    expect((await signIn(login, PASSWORD)).body.language).toBe('en');
  });

  it('signs out: the session ends and its cookie no longer authenticates', async () => {
    const { res, body } = await signIn(login, PASSWORD);
    const cookie = cookieOf(res);
    const out = await fetch(`${system.base}/app/sign-out`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': String(body.csrfToken), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/cf_session=;.*Expires=Thu, 01 Jan 1970/);
    expect((await fetch(`${system.base}/v1/my-work`, { headers: { cookie } })).status).toBe(401);
  });

  it('an auditor signed in sees what waits for others and changes nothing: the API refuses', async () => {
    const login2 = `aud-${suffix}`;
    await createPerson(system.pool, 'auditor', login2, '审计员');
    await createStore(system.pool).sessions.setPassword(login2, PASSWORD);
    const { res, body } = await signIn(login2, PASSWORD);
    const headers = {
      cookie: cookieOf(res),
      'x-csrf-token': String(body.csrfToken),
      'content-type': 'application/json',
    };
    const work = await fetch(`${system.base}/v1/my-work`, { headers });
    expect(((await work.json()) as { sections: { kind: string }[] }).sections.map((s) => s.kind)).toEqual([
      'vote',
      'legal',
      'late-reason',
      'score-warning',
    ]);
    const decide = await fetch(`${system.base}/v1/receivables/R-any/decisions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ department: 'finance', approve: false, reason: 'no' }),
    });
    expect(decide.status).toBe(403);
  });

  it('locks a login after 5 wrong passwords in a row, even against the right one; an unknown login is a plain 401', async () => {
    const other = `mkt-${suffix}`;
    await createPerson(system.pool, 'marketing', other, '王五');
    await createStore(system.pool).sessions.setPassword(other, PASSWORD);
    for (let i = 1; i <= 4; i++) expect((await signIn(other, 'wrong password!')).res.status).toBe(401);
    const fifth = await signIn(other, 'wrong password!');
    expect(fifth.res.status).toBe(423);
    expect(Number(fifth.res.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    expect((await signIn(other, PASSWORD)).res.status).toBe(423);
    expect((await signIn(`nobody-${suffix}`, PASSWORD)).res.status).toBe(401);
  });
});

describe('my work', () => {
  it("lists a pending salesperson limit proposal for a manager, oldest first, with counts; a salesperson's late reasons are their own", async () => {
    const p = await seedParties(
      system.call,
      { dealer: (x: string) => `Work dealer ${x}`, seller: (x: string) => `Work seller ${x}` },
      `mw-${suffix}`,
    );
    const proposed = await system.call(
      'POST',
      `/v1/salespeople/${p.seller.id}/limit-proposals`,
      { proposedLimitMinor: 5_000_000, evaluation: 'steady collections' },
      'finance',
    );
    expect(proposed.status).toBe(201);
    const work = await system.call('GET', '/v1/my-work', undefined, 'manager');
    const sections = work.body.sections as { kind: string; items: Record<string, unknown>[] }[];
    expect(sections.map((x) => x.kind)).toEqual([
      'manager-review',
      'legal',
      'dealer-continuation',
      'limit-proposal',
      'review',
    ]);
    const proposals = sections.find((x) => x.kind === 'limit-proposal')?.items ?? [];
    expect(proposals).toContainEqual(
      expect.objectContaining({ salespersonId: p.seller.id, proposedLimitMinor: 5_000_000 }),
    );
    const since = proposals.map((x) => String(x.since));
    expect(since).toEqual([...since].sort());
    expect((work.body.counts as Record<string, number>)['limit-proposal']).toBe(proposals.length);
    // A salesperson's own late reasons only: another's task is not listed.
    const mine = await system.auth.headers('sales', p.seller.id);
    const res = await fetch(`${system.base}/v1/my-work`, { headers: mine });
    const body = (await res.json()) as { sections: { kind: string; items: { salespersonId: string }[] }[] };
    expect(body.sections.map((x) => x.kind)).toEqual(['late-reason', 'score-warning']);
    for (const item of body.sections[0]?.items ?? []) expect(item.salespersonId).toBe(p.seller.id);
  });

  it("lists a customer's early warning for the credit desk and the customer's own salesperson; the desk closes it", async () => {
    const names = { dealer: (x: string) => `Warned ${x}`, seller: (x: string) => `Seller ${x}` };
    const p = await seedParties(system.call, names, `sw-${suffix}`);
    const other = await seedParties(system.call, names, `so-${suffix}`);
    expect((await fileFor(system.call, p, { amountMinor: 100_000, requestedTermDays: 30 })).status).toBe(201);
    // The seller sells to it once the application is recorded: the filing's row in PostgreSQL
    // (the API answers a receivable from its workflow before that, so its 200 is not enough).
    await eventually(async () => {
      const { rows } = await system.pool.query('SELECT 1 FROM receivables WHERE id = $1', [p.receivableId]);
      expect(rows).toHaveLength(1);
    });
    // As the score activity leaves it (activities/scores/activities.ts): a task about the counterparty.
    const key = `score-early-warning:${p.dealer.id}:1`;
    await createStore(system.pool).tasks.open({
      key,
      kind: 'review-score-warning',
      assignee: 'desk@acme.test',
      dueOn: null,
      detail: {
        counterpartyId: p.dealer.id,
        before: { score: 82, customerClass: 'A' },
        after: { score: 64, customerClass: 'B' },
        reasons: ['class A → B'],
      },
    });
    const warnings = async (headers: Record<string, string>) => {
      const res = await fetch(`${system.base}/v1/my-work`, { headers });
      const body = (await res.json()) as { sections: { kind: string; items: { key: string }[] }[] };
      return (body.sections.find((x) => x.kind === 'score-warning')?.items ?? []).map((i) => i.key);
    };
    const desk = await system.auth.headers('credit-desk');
    expect(await warnings(desk)).toContain(key);
    expect(await warnings(await system.auth.headers('sales', p.seller.id))).toContain(key);
    expect(await warnings(await system.auth.headers('sales', other.seller.id))).not.toContain(key);
    // A salesperson sees it; the desk closes it, with a note and who did.
    const close = (headers: Record<string, string>) =>
      fetch(`${system.base}/v1/score-warnings/done`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ key, note: 'spoke to their finance: a one-off' }),
      });
    expect((await close(await system.auth.headers('sales', p.seller.id))).status).toBe(403);
    expect((await close(desk)).status).toBe(200);
    expect(await warnings(desk)).not.toContain(key);
  });
});

describe('debtor portal', () => {
  let a: Awaited<ReturnType<typeof seedParties>>;
  let b: Awaited<ReturnType<typeof seedParties>>;
  let linkA: string;
  let tokenA: string;
  beforeAll(async () => {
    const names = { dealer: (s: string) => `Portal dealer ${s}`, seller: (s: string) => `Seller ${s}` };
    a = await seedParties(system.call, names, `pa-${suffix}`);
    b = await seedParties(system.call, names, `pb-${suffix}`);
    for (const p of [a, b]) {
      expect((await fileFor(system.call, p, { amountMinor: 500_000, requestedTermDays: 30 })).status).toBe(
        201,
      );
      await eventually(async () => {
        const r = await system.call('GET', `/v1/receivables/${p.receivableId}`, undefined, 'finance');
        expect(r.body.stage).toBe('awaiting-approval');
      });
      expect((await issue(system.call, p.receivableId, 500_000, 30)).body.stage).toBe('issued');
    }
    const operations = createOperations(createStore(system.pool));
    linkA = await operations.portal.portalLinkFor(a.dealer.id);
    tokenA = linkA.split('/portal/')[1] ?? '';
    // The same live link is handed out again, and another counterparty never gets it.
    expect(await operations.portal.portalLinkFor(a.dealer.id)).toBe(linkA);
    expect(await operations.portal.portalLinkFor(b.dealer.id)).not.toBe(linkA);
  });

  const portal = (path: string, body?: unknown) =>
    fetch(`${system.base}/portal/${tokenA}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it("shows the link's own counterparty's open items only", async () => {
    const res = await portal('/data');
    expect(res.status).toBe(200);
    const data = (await res.json()) as { items: { receivableId: string }[]; counterparty: { name: string } };
    expect(data.items.map((i) => i.receivableId)).toEqual([a.receivableId]);
    expect(data.counterparty.name).toBe(a.dealer.name);
    const csv = await (await portal('/statement.csv')).text();
    expect(csv).toContain(a.receivableId);
    expect(csv).not.toContain(b.receivableId);
    // The statement of account as the PDF letter, its own receivable on it and no other's.
    const pdf = await portal('/statement.pdf');
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const text = compact(await pdfText(Buffer.from(await pdf.arrayBuffer())));
    expect(text).toContain(a.receivableId);
    expect(text).not.toContain(b.receivableId);
  });

  it("cannot read or act on another debtor's receivable: it answers as an unknown one", async () => {
    for (const [path, body] of [
      [`/receivables/${b.receivableId}/promise`, { promisedBy: '2099-01-01' }],
      [`/receivables/${b.receivableId}/dispute`, { reason: 'not ours' }],
      [
        `/receivables/${b.receivableId}/payment-claims`,
        { paidOn: '2026-01-01', amountMinor: 1, reference: 'x' },
      ],
    ] as const) {
      const res = await portal(path, body);
      expect(res.status).toBe(404);
    }
    const record = await system.call('GET', `/v1/receivables/${b.receivableId}/record`, undefined, 'finance');
    expect(record.body.events as { eventType: string }[]).not.toContainEqual(
      expect.objectContaining({ eventType: 'promise-to-pay-recorded' }),
    );
  });

  it('records a promise to pay as an Update with the debtor as actor; refuses one beyond the policy', async () => {
    const data = (await (await portal('/data')).json()) as { today: string };
    const far = await portal(`/receivables/${a.receivableId}/promise`, { promisedBy: '2099-01-01' });
    expect(far.status).toBe(422);
    const by = new Date(Date.parse(`${data.today}T00:00:00Z`) + 10 * 86_400_000).toISOString().slice(0, 10);
    const res = await portal(`/receivables/${a.receivableId}/promise`, { promisedBy: by });
    expect(res.status).toBe(200);
    const r = await system.call('GET', `/v1/receivables/${a.receivableId}`, undefined, 'finance');
    expect(r.body.validReason).toMatchObject({
      kind: 'promise',
      promisedBy: by,
      actor: { role: 'debtor', username: `debtor:${a.dealer.id}` },
    });
  });

  it('"we have paid" opens a task for finance and settles nothing', async () => {
    const res = await portal(`/receivables/${a.receivableId}/payment-claims`, {
      paidOn: '2026-01-02',
      amountMinor: 500_000,
      reference: 'BANK-REF-1',
    });
    expect(res.status).toBe(201);
    const work = await system.call('GET', '/v1/my-work', undefined, 'finance');
    const section = (work.body.sections as { kind: string; items: { receivableId: string }[] }[]).find(
      (s) => s.kind === 'debtor-payment',
    );
    expect(section?.items.map((i) => i.receivableId)).toContain(a.receivableId);
    const r = await system.call('GET', `/v1/receivables/${a.receivableId}`, undefined, 'finance');
    expect(r.body.outstandingMinor).toBe(500_000);
  });

  it('a revoked link and an unknown one get a clear page and no data', async () => {
    const revoked = await system.call(
      'POST',
      `/v1/counterparties/${a.dealer.id}/portal-links/revocation`,
      {},
      'finance',
    );
    expect(revoked.body.revoked).toBeGreaterThan(0);
    const data = await portal('/data');
    expect(data.status).toBe(410);
    const page = await fetch(linkA.replace(/^https?:\/\/[^/]+/, system.base));
    expect(page.status).toBe(410);
    const html = await page.text();
    expect(html).toContain('revoked');
    expect(html).not.toContain(a.receivableId);
    expect((await fetch(`${system.base}/portal/nonsense/data`)).status).toBe(404);
  });
});
