/** The rating's and the salesperson assessment's e-mails: money from the one formatter, in the data's currency. */
import { describe, expect, it } from 'vitest';
import { continuationDecisionMail, gradeMail } from '../../activities/rating/mail.js';
import { assessmentMail } from '../../activities/salesperson/mail.js';
import { METRIC_KEYS, type MetricKey } from '../../domain/salesperson-assessment.js';
import type { AssessmentTableRow } from '../../domain/salesperson-review.js';

const rating = {
  quarter: '2026-Q1',
  grade: 'AB',
  gradeBefore: 'BB',
  creditLimitMinor: 3_086_419,
  creditTermDays: 45,
};

describe('the dealer grade mail', () => {
  it('states the new limit in the policy currency, in the dealer’s language', () => {
    const zh = gradeMail('Acme', { name: '华东商贸', language: 'zh-CN' }, rating, 'CNY');
    expect(zh.subject).toBe('Acme：2026-Q1 信用等级调整为 AB');
    expect(zh.text).toContain('新的信用额度为 ¥30,864.19，信用期限为 45 天。');
    const en = gradeMail('Acme', { name: 'Beta', language: 'en' }, rating, 'CNY');
    expect(en.text).toContain('Your new credit limit is ¥30,864.19 with a credit term of 45 days.');
    expect(en.text).not.toContain('CN¥');
    expect(gradeMail('Acme', { name: 'Beta', language: 'en' }, rating, 'USD').text).toContain('$30,864.19');
    expect(
      gradeMail('Acme', { name: 'Beta', language: 'en' }, { ...rating, creditLimitMinor: 0 }, 'CNY').text,
    ).toContain('No credit is granted this quarter.');
  });

  it('escapes the names in the HTML', () => {
    const mail = gradeMail('A&B', { name: '<b>x</b>', language: 'en' }, rating, 'CNY');
    expect(mail.html).toContain('Dear &lt;b&gt;x&lt;/b&gt;,');
    expect(mail.html).toContain('A&amp;B credit management');
  });
});

describe('the managers’ continuation decision mail', () => {
  it('names the dealer, both grades, the deadline and the default in both languages', () => {
    const mail = continuationDecisionMail('Acme', {
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
  const none = Object.fromEntries(METRIC_KEYS.map((m) => [m, null])) as Record<MetricKey, null>;
  const row: AssessmentTableRow = {
    salespersonId: 'S-1',
    salespersonName: 'Wang <Wei>',
    receivablesMinor: 1_200_000,
    creditSalesMinor: 0,
    collectedMinor: 0,
    contractAmountMinor: 0,
    badDebtsMinor: 0,
    salesMinor: 0,
    discountOfferedMinor: 0,
    paidWithDiscountMinor: 0,
    companyReceivablesMinor: 1_200_000,
    daysInPeriod: 31,
    metrics: none,
    rates: {
      ...Object.fromEntries(METRIC_KEYS.map((m) => [m, 0])),
      averageCollectionPeriodDays: -110,
    } as Record<MetricKey, number>,
    totalRateBp: -110,
    rewardPenaltyMinor: -13_200,
  };
  it('shows the amounts in the policy currency and keeps minor units in the CSV', () => {
    const mail = assessmentMail('Acme', '2026-03', [row], 'CNY');
    expect(mail.subject).toBe('Salesperson assessment 2026-03 / 应收帐款考核 2026-03');
    expect(mail.text).toContain(
      'S-1\tWang <Wei>\treceivables ¥12,000.00\trates -110 bp\treward/penalty -¥132.00',
    );
    expect(mail.text).toContain('Total reward (+) / penalty (−): -¥132.00');
    expect(mail.text).toContain('\r\n2026-03,S-1,Wang <Wei>,1200000,');
    expect(mail.html).toContain('<td>Wang &lt;Wei&gt;</td><td>¥12,000.00</td><td>-110</td><td>-¥132.00</td>');
  });
});
