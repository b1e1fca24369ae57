/**
 * The templates API (docs/templates.md): a new version is checked (Liquid syntax → 422 naming the
 * line, an unknown variable → 422 naming it, an unknown kind → 404), stored with the credential
 * that changed it, and in force for the very next message a workflow sends; previews render the
 * version in force or a draft with sample or given data. A database of its own: the versions
 * stored here change what every message says.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../domain/format.js';
import type { Pool } from '../../store/db.js';
import { fileFor, seedParties } from '../support/applications.js';
import { callAs, createPerson } from '../support/auth.js';
import { eventually, mails, type System, systemPerFile } from '../support/system.js';

let pool: Pool;
let base: string;

const system = systemPerFile({ isolated: 'templates', worker: true }, (s) => {
  ({ pool, base } = s);
});
const call: System['call'] = (...args) => system.call(...args);

const REMINDER = '/v1/templates/payment-reminder/en';

describe('templates API', () => {
  it('lists every receivable kind in both languages, shipped, and reads one with its variables', async () => {
    const list = await call('GET', '/v1/templates');
    expect(list.status).toBe(200);
    const items = list.body.items as { kind: string; language: string; version: string }[];
    for (const lang of ['zh-CN', 'en'])
      expect(items.find((t) => t.kind === 'overdue-warning-letter' && t.language === lang)?.version).toBe(
        'shipped',
      );
    const one = await call('GET', REMINDER);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      kind: 'payment-reminder',
      language: 'en',
      version: 'shipped',
      changedBy: null,
    });
    expect(one.body.subject).toContain('{{ receivableId }}');
    expect(Object.keys(one.body.variables as object)).toEqual(
      expect.arrayContaining(['receivableId', 'dueDate', 'outstandingMinor', 'contact']),
    );
    expect((await call('GET', '/v1/templates/no-such-kind/en')).status).toBe(404);
    expect((await call('GET', '/v1/templates/payment-reminder/fr')).status).toBe(404);
    expect((await call('GET', '/v1/templates/payment-reminder/not a tag')).status).toBe(400);
  });

  it('refuses a Liquid syntax error 422 naming the field and the line', async () => {
    const bad = await call('PUT', REMINDER, {
      subject: 'Reminder {{ receivableId }}',
      body: '<p>Dear {{ counterpartyName }},</p>\n<p>{% if dueDate %}due {{ dueDate }}</p>',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error?.fields?.[0]?.path).toBe('body');
    expect(bad.body.error?.fields?.[0]?.message).toMatch(/line 2/);
    expect(bad.body.error?.message).toMatch(/tag .*if.* not closed/i);
    const badSubject = await call('PUT', REMINDER, {
      subject: 'Reminder {{ receivableId ',
      body: '<p>x</p>',
    });
    expect(badSubject.status).toBe(422);
    expect(badSubject.body.error?.fields?.[0]?.path).toBe('subject');
    expect((await call('GET', REMINDER)).body.version).toBe('shipped');
  });

  it('refuses an unknown variable or filter 422 naming it, and an unknown kind 404', async () => {
    const unknown = await call('PUT', REMINDER, {
      subject: 'Reminder {{ receivableId }}',
      body: '<p>Dear {{ debtorName }}, call {{ contact.fax }}</p>',
    });
    expect(unknown.status).toBe(422);
    const messages = (unknown.body.error?.fields ?? []).map((f) => f.message).join(' ');
    expect(messages).toContain("unknown variable 'debtorName'");
    expect(messages).toContain("unknown variable 'contact.fax'");
    const filter = await call('PUT', REMINDER, {
      subject: 'Reminder {{ receivableId }}',
      body: '<p>{{ outstandingMinor | dollars }}</p>',
    });
    expect(filter.status).toBe(422);
    expect(filter.body.error?.message).toMatch(/dollars/);
    const include = await call('PUT', REMINDER, { subject: 'x', body: "{% include '/etc/passwd' %}" });
    expect(include.status).toBe(422);
    expect(
      (await call('PUT', '/v1/templates/no-such-kind/en', { subject: 'x', body: '<p>x</p>' })).status,
    ).toBe(404);
  });

  it('records the credential that stored a version; staff readers may not store one', async () => {
    const manager = await createPerson(pool, 'manager', `zhou-${randomUUID().slice(0, 6)}`, '周敏');
    const put = await callAs(base, manager, 'PUT', REMINDER, {
      changedBy: 'someone else',
      subject: 'x',
      body: '<p>x</p>',
    });
    expect(put.status).toBe(400);
    expect(put.body.error?.fields?.map((f) => f.path)).toEqual(['changedBy']);
    const stored = await callAs(base, manager, 'PUT', REMINDER, {
      subject: '[{{ companyName }}] Reminder: {{ receivableId }} due {{ dueDate }}',
      body: '<h1>Reminder</h1><p>Dear {{ counterpartyName }}, {{ outstandingMinor | money: currency }} is due on {{ dueDate | day }}.</p>',
    });
    expect(stored.status).toBe(201);
    expect(stored.body).toMatchObject({
      version: '1',
      changedBy: `周敏 (${manager.actor.username}, manager)`,
    });
    const read = await call('GET', REMINDER);
    expect(read.body).toMatchObject({ version: '1', changedBy: `周敏 (${manager.actor.username}, manager)` });
    const row = await pool.query(
      `SELECT changed_by_actor AS actor FROM message_templates WHERE kind = 'payment-reminder' AND language = 'en'`,
    );
    expect(row.rows[0]?.actor).toMatchObject({ credentialId: manager.actor.credentialId, role: 'manager' });

    const auditor = await createPerson(pool, 'auditor', `aud-${randomUUID().slice(0, 6)}`, 'Audit');
    expect((await callAs(base, auditor, 'PUT', REMINDER, { subject: 'x', body: '<p>x</p>' })).status).toBe(
      403,
    );
    expect((await callAs(base, auditor, 'GET', REMINDER)).status).toBe(200);
  });

  it('previews the version in force, a draft, and given data: subject, inlined HTML, text', async () => {
    const sample = await call('POST', '/v1/templates/overdue-warning-letter/zh-CN/preview', {});
    expect(sample.status).toBe(200);
    expect(sample.body.subject).toBe(
      '[Acme] 客户欠款警告书：应收帐款 R-1 已逾期 16 天，未付 ¥100,000.00，已停止供货',
    );
    expect(sample.body.html).toMatch(/<h1 class="warning" style="[^"]*color: #cf222e/);
    expect(sample.body.text).toContain('欠款金额：¥100,000.00');
    expect(sample.body.templateVersion).toBe('shipped');
    expect(sample.body.pdf).toBeUndefined();

    const draft = await call('POST', '/v1/templates/payment-reminder/zh-CN/preview', {
      draft: { subject: '提醒 {{ receivableId }}', body: '<p>{{ amountMinor | money: currency }}</p>' },
      data: {
        companyName: 'Acme',
        receivableId: 'R-77',
        counterpartyName: 'X',
        salespersonName: 'Y',
        currency: 'CNY',
        amountMinor: 500_000,
        outstandingMinor: 500_000,
        dueDate: '2026-12-01',
        contact: { name: 'Y', email: 'y@acme.test' },
      },
    });
    expect(draft.status).toBe(200);
    expect(draft.body).toMatchObject({ subject: '提醒 R-77', templateVersion: 'draft' });
    expect(draft.body.text).toBe('¥5,000.00\n');

    const missing = await call('POST', '/v1/templates/payment-reminder/zh-CN/preview', {
      data: { companyName: 'Acme' },
    });
    expect(missing.status).toBe(422);
    expect(missing.body.error?.message).toContain('payment-reminder needs data.receivableId');
  });

  it('a company adds a language: its templates render in it (kinds without one in zh-CN), a counterparty may have it', async () => {
    const put = await call('PUT', '/v1/templates/dealer-grade/fr', {
      subject: '{{ companyName }} : votre note pour {{ quarter }} est {{ grade }}',
      body: '<p>Madame, Monsieur,</p><p>Limite : {{ creditLimitMinor | money: currency }}</p>',
    });
    expect(put.status).toBe(201);
    const listed = (await call('GET', '/v1/templates')).body.items as { kind: string; language: string }[];
    expect(listed).toContainEqual(expect.objectContaining({ kind: 'dealer-grade', language: 'fr' }));
    const preview = await call('POST', '/v1/templates/dealer-grade/fr/preview', {});
    expect(preview.body.subject).toBe('Acme : votre note pour 2026-Q1 est AB');
    // Money in the language, as Intl writes it: 30 864,19 ¥
    expect(preview.body.text).toContain(`Limite : ${formatMoney(3_086_419, 'CNY', 'fr')}`);
    const fallback = await call('POST', '/v1/templates/payment-reminder/fr/preview', {});
    expect(fallback.status).toBe(200);
    expect(fallback.body.subject).toContain('付款提醒');

    const suffix = randomUUID().slice(0, 8);
    const { dealer } = await seedParties(
      call,
      { dealer: (s) => `Dealer ${s}`, seller: (s) => `Seller ${s}` },
      suffix,
    );
    const french = await call('POST', '/v1/counterparties', { ...dealer, language: 'fr' });
    expect(french.status).toBe(200);
    expect((await call('POST', '/v1/counterparties', { ...dealer, language: 'french!' })).status).toBe(400);
  });

  it('a stored version is in force for the next message a workflow sends', async () => {
    const marker = randomUUID().slice(0, 6);
    const put = await call('PUT', '/v1/templates/approval-request/zh-CN', {
      subject: `[{{ companyName }}] 待审批 ${marker} {{ receivableId }}`,
      body: `<h1>待审批 ${marker}</h1><p>{{ counterpartyName }} {{ amountMinor | money: currency }}</p>`,
    });
    expect(put.status).toBe(201);
    const parties = await seedParties(call, { dealer: (s) => `华东 ${s}`, seller: (s) => `王 ${s}` });
    expect((await fileFor(call, parties, { amountMinor: 500_000 })).status).toBe(201);
    const [mail] = await eventually(
      () => mails(`${parties.receivableId}:approval-request`),
      (m) => m.length > 0,
      'approval e-mail',
    );
    expect(mail?.subject).toBe(`[Acme] 待审批 ${marker} ${parties.receivableId}`);
    expect(mail?.text).toContain(`${parties.dealer.name} ¥5,000.00`);

    const next = randomUUID().slice(0, 6);
    await call('PUT', '/v1/templates/approval-request/zh-CN', {
      subject: `[{{ companyName }}] 待审批 ${next} {{ receivableId }}`,
      body: '<p>{{ receivableId }}</p>',
    });
    const again = await seedParties(call, { dealer: (s) => `华东 ${s}`, seller: (s) => `王 ${s}` });
    await fileFor(call, again, { amountMinor: 500_000 });
    const [second] = await eventually(
      () => mails(`${again.receivableId}:approval-request`),
      (m) => m.length > 0,
      'approval e-mail after the second version',
    );
    expect(second?.subject).toBe(`[Acme] 待审批 ${next} ${again.receivableId}`);
  });
});
