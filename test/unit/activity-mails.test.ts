/**
 * The rating's and the salesperson assessment's e-mails, as the renderer writes them from the shipped
 * templates: money from the one formatter, in the data's currency.
 */
import { describe, expect, it } from 'vitest';
import { createMessageRenderer } from '../../operations/correspondence/render.js';

const renderer = createMessageRenderer();

const rating = {
  companyName: 'Acme',
  quarter: '2026-Q1',
  grade: 'AB',
  gradeBefore: 'BB',
  creditLimitMinor: 3_086_419,
  creditTermDays: 45,
  currency: 'CNY',
};

describe('the dealer grade mail', () => {
  it('states the new limit in the policy currency, in the dealer’s language', async () => {
    const zh = await renderer.render('dealer-grade', 'zh-CN', { ...rating, dealer: { name: '华东商贸' } });
    expect(zh.subject).toBe('Acme：2026-Q1 信用等级调整为 AB');
    expect(zh.text).toContain('新的信用额度为 ¥30,864.19，信用期限为 45 天。');
    const en = await renderer.render('dealer-grade', 'en', { ...rating, dealer: { name: 'Beta' } });
    expect(en.text).toContain('Your new credit limit is ¥30,864.19 with a credit term of 45 days.');
    expect(en.text).not.toContain('CN¥');
    expect(
      (await renderer.render('dealer-grade', 'en', { ...rating, dealer: { name: 'Beta' }, currency: 'USD' }))
        .text,
    ).toContain('$30,864.19');
    expect(
      (
        await renderer.render('dealer-grade', 'en', {
          ...rating,
          dealer: { name: 'Beta' },
          creditLimitMinor: 0,
        })
      ).text,
    ).toContain('No credit is granted this quarter.');
  });

  it('escapes the names in the HTML', async () => {
    const mail = await renderer.render('dealer-grade', 'en', {
      ...rating,
      companyName: 'A&B',
      dealer: { name: '<b>x</b>' },
    });
    expect(mail.html).toContain('Dear &lt;b&gt;x&lt;/b&gt;,');
    expect(mail.html).toContain('A&amp;B credit management');
  });

  it('a dealer in a language without its own template reads the default language (zh-CN)', async () => {
    const mail = await renderer.render('dealer-grade', 'fr', { ...rating, dealer: { name: 'Gamma' } });
    expect(mail.subject).toBe('Acme：2026-Q1 信用等级调整为 AB');
    expect(mail.html).toContain('<html lang="zh-CN">');
  });
});

describe('the managers’ continuation decision mail', () => {
  it('names the dealer, both grades, the deadline and the default in both languages', async () => {
    const mail = await renderer.render('continuation-decision', 'zh-CN', {
      companyName: 'Acme',
      quarter: '2026-Q1',
      dealerId: 'D-1',
      dealerName: 'Beta <Co>',
      grade: 'CC',
      previousGrade: 'CB',
      deadline: '2026-04-20 09:00',
      onDeadline: 'stop-supply',
    });
    expect(mail.subject).toBe('Acme: decide on dealer D-1 — two bad quarters (2026-Q1)');
    expect(mail.text).toContain('经销商 Beta <Co> 连续两个季度信用等级为 CB、CC');
    expect(mail.text).toContain('Without a decision, "stop-supply" applies.');
    expect(mail.html).toContain('Beta &lt;Co&gt;');
  });
});

describe('finance’s assessment mail', () => {
  it('shows the amounts in the policy currency, one row per salesperson', async () => {
    const mail = await renderer.render('salesperson-assessment', 'zh-CN', {
      companyName: 'Acme',
      month: '2026-03',
      currency: 'CNY',
      totalMinor: -13_200,
      rows: [
        {
          salespersonId: 'S-1',
          salespersonName: 'Wang <Wei>',
          receivablesMinor: 1_200_000,
          totalRateBp: -110,
          rewardPenaltyMinor: -13_200,
        },
      ],
    });
    expect(mail.subject).toBe('Salesperson assessment 2026-03 / 应收帐款考核 2026-03');
    const line = mail.text.split('\n').find((l) => l.includes('S-1')) ?? '';
    for (const cell of ['Wang <Wei>', '¥12,000.00', '-110', '-¥132.00']) expect(line).toContain(cell);
    expect(mail.text).toContain('Total reward (+) / penalty (−): -¥132.00');
    expect(mail.html).toMatch(
      /<td[^>]*>Wang &lt;Wei&gt;<\/td><td[^>]*>¥12,000\.00<\/td><td[^>]*>-110<\/td><td[^>]*>-¥132\.00<\/td>/,
    );
  });
});

describe('the salesperson limit warning', () => {
  it('names the salesperson, the application, the amounts and the levels', async () => {
    const mail = await renderer.render('salesperson-limit-warning', 'zh-CN', {
      salesperson: { id: 'S-1', name: 'Wang <Wei>' },
      receivableId: 'R-9',
      amountMinor: 500_000,
      afterMinor: 8_500_000,
      limitMinor: 10_000_000,
      usagePercent: 85,
      warningBp: 8000,
      currency: 'CNY',
    });
    expect(mail.subject).toBe('信用额度预警 / Receivables limit warning: Wang <Wei> at 85 %');
    expect(mail.text).toContain('takes receivables to ¥85,000.00 of the ¥100,000.00 limit (85 %)');
    expect(mail.text).toContain('The warning level is 80 %; at 100 % new credit is refused.');
    expect(mail.text).toContain('申请 R-9 使应收帐款达到额度的 85 %');
    expect(mail.html).toContain('Wang &lt;Wei&gt; (S-1)');
  });
});
