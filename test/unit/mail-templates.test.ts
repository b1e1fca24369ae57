/**
 * Every receivable mail, in both languages, as the renderer writes it from the shipped templates
 * (templates/<language>/<kind>.liquid): the facts each shows, escaping, the data each needs, pinned output.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../domain/format.js';
import {
  RECEIVABLE_MAIL_KINDS,
  type ReceivableMailContext,
  type ReceivableMailKind,
  SHIPPED_LANGUAGES,
} from '../../operations/correspondence/kinds.js';
import { createMessageRenderer, type RenderedMessage } from '../../operations/correspondence/render.js';

const MAIL_LANGUAGES = SHIPPED_LANGUAGES;
type MailLanguage = (typeof SHIPPED_LANGUAGES)[number];
const renderer = createMessageRenderer();
/** The shipped template of a kind rendered with this context. */
const renderReceivableMail = (
  kind: ReceivableMailKind,
  language: MailLanguage,
  ctx: ReceivableMailContext,
): Promise<RenderedMessage> => renderer.render(kind, language, ctx as unknown as Record<string, unknown>);

function fullCtx(overrides: Partial<ReceivableMailContext> = {}): ReceivableMailContext {
  return {
    companyName: 'Acme',
    receivableId: 'R-1',
    counterpartyName: '华东商贸有限公司',
    salespersonName: '王伟',
    currency: 'CNY',
    amountMinor: 12_345_678, // ¥123,456.78
    outstandingMinor: 10_000_000, // ¥100,000.00
    issueDate: '2026-11-01',
    dueDate: '2026-12-01',
    daysOverdue: 16,
    discount: { rateBp: 100, days: 10, lastDay: '2026-11-11', discountedMinor: 12_222_221, netDays: 30 },
    contact: { name: '李娜', email: 'li.na@acme.example', phone: '+86 21 5555 0100' },
    requestedTermDays: 45,
    approvedTermDays: 30,
    decision: { approved: true },
    recommendation: { verdict: 'review', findings: ['amount exceeds 80% of available limit'] },
    deadline: '2026-11-04 09:00',
    legalAction: { terminateCooperation: true, litigation: true },
    paymentMinor: 2_345_678, // ¥23,456.78
    gradeBefore: 'AB',
    gradeAfter: 'BA',
    actionUrl: 'https://creditflow.example/receivables/R-1',
    ...overrides,
  };
}

const AMOUNT = '¥123,456.78';
const OUTSTANDING = '¥100,000.00';
const PAYMENT = '¥23,456.78';
const DUE = '2026-12-01';
const days = (lang: MailLanguage, n: number): string => (lang === 'zh-CN' ? `${n} 天` : `${n} days`);

/** What each kind must show in text and HTML (and which of those also in the subject). */
const SHOWS: Record<
  ReceivableMailKind,
  { money: string[]; due: boolean; overdue: boolean; subjectDue?: boolean; subjectOverdue?: boolean }
> = {
  'approval-request': { money: [AMOUNT], due: false, overdue: false },
  'approval-escalated': { money: [AMOUNT], due: false, overdue: false },
  'application-decision': { money: [AMOUNT], due: true, overdue: false, subjectDue: true },
  'credit-terms': { money: [AMOUNT, '¥122,222.21'], due: true, overdue: false, subjectDue: true },
  'payment-reminder': { money: [OUTSTANDING], due: true, overdue: false, subjectDue: true },
  'phone-task': { money: [OUTSTANDING], due: true, overdue: false, subjectDue: true },
  'visit-task': { money: [OUTSTANDING], due: true, overdue: true, subjectOverdue: true },
  'collection-notice': { money: [OUTSTANDING], due: true, overdue: true, subjectOverdue: true },
  'late-reason-request': { money: [OUTSTANDING], due: true, overdue: true, subjectOverdue: true },
  'second-collection-notice': { money: [OUTSTANDING], due: true, overdue: true, subjectOverdue: true },
  'overdue-warning-letter': { money: [OUTSTANDING], due: true, overdue: true, subjectOverdue: true },
  'supply-stopped': { money: [OUTSTANDING], due: true, overdue: true, subjectOverdue: true },
  'supply-resumed': { money: [OUTSTANDING], due: false, overdue: false },
  'credit-desk-handover': { money: [OUTSTANDING], due: true, overdue: true, subjectOverdue: true },
  'legal-escalation': { money: [OUTSTANDING], due: true, overdue: true, subjectOverdue: true },
  'payment-received': { money: [PAYMENT, OUTSTANDING], due: true, overdue: true },
};

/** The optional fields each kind cannot do without. */
const REQUIRED: Record<ReceivableMailKind, (keyof ReceivableMailContext)[]> = {
  'approval-request': ['requestedTermDays', 'recommendation', 'deadline'],
  'approval-escalated': ['requestedTermDays', 'deadline'],
  'application-decision': ['decision', 'approvedTermDays', 'dueDate'],
  'credit-terms': ['dueDate'],
  'payment-reminder': ['dueDate'],
  'phone-task': ['dueDate'],
  'visit-task': ['dueDate', 'daysOverdue'],
  'collection-notice': ['dueDate', 'daysOverdue'],
  'late-reason-request': ['dueDate', 'daysOverdue'],
  'second-collection-notice': ['dueDate', 'daysOverdue'],
  'overdue-warning-letter': ['dueDate', 'daysOverdue', 'gradeBefore', 'gradeAfter'],
  'supply-stopped': ['dueDate', 'daysOverdue'],
  'supply-resumed': [],
  'credit-desk-handover': ['dueDate', 'daysOverdue'],
  'legal-escalation': ['dueDate', 'daysOverdue', 'legalAction', 'deadline'],
  'payment-received': ['paymentMinor'],
};

describe('renderReceivableMail: every kind in both languages', () => {
  for (const kind of RECEIVABLE_MAIL_KINDS) {
    for (const lang of MAIL_LANGUAGES) {
      it(`${kind} / ${lang}`, async () => {
        const mail = await renderReceivableMail(kind, lang, fullCtx());
        const want = SHOWS[kind];

        expect(mail.subject.startsWith('[Acme] ')).toBe(true);
        expect(mail.subject).not.toMatch(/[\r\n]/);
        expect(mail.html.startsWith('<!DOCTYPE html>')).toBe(true);
        expect(mail.html).toContain(`<html lang="${lang}">`);
        // every attribute value is closed by its own quote: a quote must be followed by space, '>' or '/'
        expect(mail.html).not.toMatch(/="[^"]*"[^\s>/]/);

        for (const body of [mail.text, mail.html]) {
          for (const money of want.money) expect(body).toContain(money);
          if (want.due) expect(body).toContain(DUE);
          if (want.overdue) expect(body).toContain(days(lang, 16));
          // whom to contact
          expect(body).toContain('李娜');
          expect(body).toContain('li.na@acme.example');
          expect(body).toContain('+86 21 5555 0100');
          expect(body).toContain('R-1');
        }
        if (want.subjectDue) expect(mail.subject).toContain(DUE);
        if (want.subjectOverdue) expect(mail.subject).toContain(days(lang, 16));
        // the language really differs
        if (lang === 'zh-CN') expect(mail.text).toMatch(/[\u4e00-\u9fff]{4}/);
        else expect(mail.text.replace(/华东商贸有限公司|王伟|李娜/g, '')).not.toMatch(/[\u4e00-\u9fff]/);
      });
    }
  }

  it('uses the exact example subjects for the payment reminder', async () => {
    const ctx = fullCtx();
    expect((await renderReceivableMail('payment-reminder', 'en', ctx)).subject).toBe(
      '[Acme] Payment reminder: invoice R-1 due 2026-12-01',
    );
    expect((await renderReceivableMail('payment-reminder', 'zh-CN', ctx)).subject).toBe(
      '[Acme] 付款提醒：应收帐款 R-1 将于 2026-12-01 到期',
    );
  });
});

describe('HTML escaping', () => {
  const evil = '<script>alert("x")</script> & Sons';
  for (const kind of RECEIVABLE_MAIL_KINDS) {
    for (const lang of MAIL_LANGUAGES) {
      it(`${kind} / ${lang} escapes the counterparty name`, async () => {
        const mail = await renderReceivableMail(kind, lang, fullCtx({ counterpartyName: evil }));
        expect(mail.html).not.toContain('<script>');
        expect(mail.html).not.toContain('</script>');
        expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons');
        // the plain text keeps the name as it is
        expect(mail.text).toContain(evil);
      });
    }
  }

  it('escapes findings, reasons, contact and company, and never links a javascript: URL', async () => {
    const ctx = fullCtx({
      companyName: 'A<b>cme',
      recommendation: { verdict: 'reject', findings: ['<img src=x onerror=alert(1)>'] },
      contact: { name: '<i>Eve</i>', email: 'eve@example.com"><script>', phone: '<b>1</b>' },
      actionUrl: 'javascript:alert(1)',
    });
    const mail = await renderReceivableMail('approval-request', 'en', ctx);
    expect(mail.html).not.toMatch(/<img|<i>|<b>|<script/);
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(mail.html).not.toContain('href="javascript:');
    expect(mail.html).not.toContain('mailto:eve@example.com"');
    const rejected = await renderReceivableMail(
      'application-decision',
      'zh-CN',
      fullCtx({ decision: { approved: false, reason: '<b>limit</b> exceeded' } }),
    );
    expect(rejected.html).toContain('&lt;b&gt;limit&lt;/b&gt; exceeded');
    expect(rejected.html).not.toContain('<b>limit');
  });

  it('links the action URL and the contact e-mail when they are safe', async () => {
    const mail = await renderReceivableMail('approval-request', 'zh-CN', fullCtx());
    expect(mail.html).toContain('href="https://creditflow.example/receivables/R-1"');
    expect(mail.html).toContain('href="mailto:li.na@acme.example"');
    expect(mail.text).toContain('前往审批：https://creditflow.example/receivables/R-1');
  });

  it('keeps the subject on one line', async () => {
    const mail = await renderReceivableMail(
      'payment-reminder',
      'en',
      fullCtx({ companyName: 'Acme\r\nBcc: x@y' }),
    );
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });
});

describe('content details', () => {
  it('credit-terms states the cash-discount terms, last day and discounted amount', async () => {
    const en = await renderReceivableMail('credit-terms', 'en', fullCtx());
    expect(en.text).toContain('1/10, n/30');
    expect(en.text).toContain('pay by 2026-11-11 and you pay only ¥122,222.21 (1% off)');
    expect(en.text).toContain('2026-11-01');
    const zh = await renderReceivableMail('credit-terms', 'zh-CN', fullCtx());
    expect(zh.text).toContain('1/10，n/30');
    expect(zh.text).toContain('2026-11-11（含）前付款，可享受 1% 的现金折扣，只需支付 ¥122,222.21');
    const noDiscount = await renderReceivableMail('credit-terms', 'en', fullCtx({ discount: undefined }));
    expect(noDiscount.text).toContain(`Please pay the full amount of ${AMOUNT} by ${DUE}.`);
    expect(
      (
        await renderReceivableMail(
          'credit-terms',
          'en',
          fullCtx({
            discount: { rateBp: 150, days: 10, lastDay: '2026-11-11', discountedMinor: 100, netDays: 60 },
          }),
        )
      ).text,
    ).toContain('1.5/10, n/60');
  });

  it('application-decision renders approval and rejection', async () => {
    const ok = await renderReceivableMail('application-decision', 'en', fullCtx());
    expect(ok.subject).toBe(
      `[Acme] Credit application approved: 华东商贸有限公司, ${AMOUNT} on 30 days, due ${DUE}`,
    );
    const no = await renderReceivableMail(
      'application-decision',
      'zh-CN',
      fullCtx({
        decision: { approved: false, reason: '客户本季度为新代理商，不予赊销' },
        dueDate: undefined,
      }),
    );
    expect(no.subject).toContain('未获批准');
    expect(no.text).toContain('拒绝理由：客户本季度为新代理商，不予赊销');
    expect(no.text).toContain(AMOUNT);
  });

  it('approval-request lists verdict, findings, term and deadline', async () => {
    const zh = await renderReceivableMail('approval-request', 'zh-CN', fullCtx());
    expect(zh.text).toContain('建议人工复核');
    expect(zh.text).toContain('amount exceeds 80% of available limit');
    expect(zh.text).toContain('45 天');
    expect(zh.subject).toContain('2026-11-04 09:00');
    const en = await renderReceivableMail(
      'approval-request',
      'en',
      fullCtx({ recommendation: { verdict: 'approve', findings: [] } }),
    );
    expect(en.text).toContain('No issues found');
    expect(en.text).toContain('45 days');
  });

  it('overdue-warning-letter states supply stop, grade change and the +30 date', async () => {
    const zh = await renderReceivableMail('overdue-warning-letter', 'zh-CN', fullCtx());
    expect(zh.text).toContain('客户欠款警告书');
    expect(zh.text).toContain('由 AB 下调为 BA');
    expect(zh.text).toContain('暂停对贵司的一切供货');
    expect(zh.text).toContain('2026-12-31');
    const en = await renderReceivableMail('overdue-warning-letter', 'en', fullCtx());
    expect(en.text).toContain('lowered from AB to BA');
    expect(en.text).toContain('30 days overdue (2026-12-31)');
  });

  it('legal-escalation lists the proposed actions and the deadline', async () => {
    const both = await renderReceivableMail('legal-escalation', 'en', fullCtx());
    expect(both.text).toContain('Terminate the business relationship');
    expect(both.text).toContain('Take legal action');
    expect(both.subject).toContain('confirm by 2026-11-04 09:00');
    const onlyTerminate = await renderReceivableMail(
      'legal-escalation',
      'zh-CN',
      fullCtx({ legalAction: { terminateCooperation: true, litigation: false } }),
    );
    expect(onlyTerminate.text).toContain('终止与该客户的合作');
    expect(onlyTerminate.text).not.toContain('诉诸司法程序');
  });

  it('payment-received distinguishes settled (with discount) from partial', async () => {
    const settled = await renderReceivableMail(
      'payment-received',
      'zh-CN',
      fullCtx({ outstandingMinor: 0, paymentMinor: 12_222_221, daysOverdue: undefined }),
    );
    expect(settled.subject).toBe('[Acme] 收款确认：已收到 ¥122,222.21，应收帐款 R-1 已结清');
    expect(settled.text).toContain('¥1,234.57'); // discount granted = 12,345,678 − 12,222,221
    const partial = await renderReceivableMail('payment-received', 'en', fullCtx({ discount: undefined }));
    expect(partial.subject).toContain(`${OUTSTANDING} still outstanding`);
    expect(partial.text).toContain('16 days overdue');
    expect(partial.text).not.toContain('cash discount');
  });

  it('late-reason-request gives instructions when there is no link', async () => {
    const mail = await renderReceivableMail('late-reason-request', 'en', fullCtx({ actionUrl: undefined }));
    expect(mail.text).toContain('Open receivable R-1 in creditflow');
    expect(mail.html).not.toContain('href="http');
  });

  it('formats other currencies', async () => {
    const mail = await renderReceivableMail('payment-reminder', 'en', fullCtx({ currency: 'USD' }));
    expect(mail.text).toContain('$100,000.00');
  });
});

describe('missing fields', () => {
  for (const kind of RECEIVABLE_MAIL_KINDS) {
    for (const field of REQUIRED[kind]) {
      it(`${kind} throws without ctx.${field}`, async () => {
        const ctx = fullCtx({ [field]: undefined });
        await expect(renderReceivableMail(kind, 'en', ctx)).rejects.toThrow(`${kind} needs data.${field}`);
        await expect(renderReceivableMail(kind, 'zh-CN', ctx)).rejects.toThrow(`${kind} needs data.${field}`);
      });
    }
  }

  it('names the example field for payment-reminder', async () => {
    await expect(
      renderReceivableMail('payment-reminder', 'en', fullCtx({ dueDate: undefined })),
    ).rejects.toThrow('payment-reminder needs data.dueDate');
  });

  it('a rejection needs a reason, an approval does not', async () => {
    await expect(
      renderReceivableMail('application-decision', 'en', fullCtx({ decision: { approved: false } })),
    ).rejects.toThrow('application-decision needs data.decision.reason');
    await expect(
      renderReceivableMail(
        'application-decision',
        'en',
        fullCtx({
          decision: { approved: false, reason: 'no' },
          approvedTermDays: undefined,
          dueDate: undefined,
        }),
      ),
    ).resolves.toBeDefined();
  });

  it('rejects bad base fields', async () => {
    await expect(
      renderReceivableMail('payment-reminder', 'en', fullCtx({ contact: { name: 'X', email: '' } })),
    ).rejects.toThrow('payment-reminder needs data.contact.email');
    await expect(
      renderReceivableMail('payment-reminder', 'en', fullCtx({ outstandingMinor: 1.5 })),
    ).rejects.toThrow('outstandingMinor');
    await expect(
      renderReceivableMail('payment-reminder', 'en', fullCtx({ dueDate: '1/12/2026' })),
    ).rejects.toThrow('payment-reminder needs a YYYY-MM-DD date in data.dueDate');
  });

  it('supply-resumed renders with only the base fields', async () => {
    const base: ReceivableMailContext = {
      companyName: 'Acme',
      receivableId: 'R-2',
      counterpartyName: 'Beta',
      salespersonName: 'Sam',
      currency: 'CNY',
      amountMinor: 100,
      outstandingMinor: 0,
      contact: { name: 'Desk', email: 'desk@acme.example' },
    };
    const mail = await renderReceivableMail('supply-resumed', 'en', base);
    expect(mail.subject).toBe('[Acme] Supply resumed: Beta');
    expect(mail.text).toContain('¥0.00');
    expect(mail.text).toContain('desk@acme.example');
  });
});

describe('formatMoney', () => {
  it.each([
    [0, '¥0.00'],
    [5, '¥0.05'],
    [123456, '¥1,234.56'],
    [-123456, '-¥1,234.56'],
    [100000000, '¥1,000,000.00'],
    [-5, '-¥0.05'],
    [Number.MAX_SAFE_INTEGER, '¥90,071,992,547,409.91'],
  ])('CNY %d → %s (both languages)', (minor, expected) => {
    expect(formatMoney(minor, 'CNY', 'zh-CN')).toBe(expected);
    expect(formatMoney(minor, 'CNY', 'en')).toBe(expected);
  });

  it('formats other currencies', async () => {
    expect(formatMoney(123456, 'USD', 'en')).toBe('$1,234.56');
    expect(formatMoney(100000000, 'EUR', 'en')).toBe('€1,000,000.00');
    expect(formatMoney(123456, 'JPY', 'en')).toBe('JP¥123,456');
    expect(formatMoney(-1234567, 'BHD', 'en')).toBe('-BHD 1,234.567');
    expect(formatMoney(123456, 'chf', 'zh-CN')).toBe('CHF 1,234.56');
  });

  it('refuses non-integers and bad codes', async () => {
    expect(() => formatMoney(1.5, 'CNY', 'en')).toThrow(RangeError);
    expect(() => formatMoney(Number.NaN, 'CNY', 'en')).toThrow(RangeError);
    expect(() => formatMoney(2 ** 53, 'CNY', 'en')).toThrow(RangeError);
    expect(() => formatMoney(1, 'RMB¥', 'en')).toThrow(RangeError);
  });
});

/**
 * Every rendered mail (subject, text and HTML) of every kind in both languages, over contexts that take the
 * templates' branches, is pinned: a change to how the templates are written cannot change a character a
 * recipient reads. A deliberate change of wording updates the snapshot (`vitest -u`) in the same commit.
 */
describe('the rendered mails are pinned', () => {
  const variants: Record<string, ReceivableMailContext> = {
    full: fullCtx(),
    sparse: {
      ...fullCtx({ companyName: 'A<b>cme & Co', counterpartyName: 'Beta "Supply"', salespersonName: 'Sam' }),
      receivableId: 'R-2',
      currency: 'USD',
      amountMinor: 100,
      outstandingMinor: 0,
      paymentMinor: 100,
      issueDate: undefined,
      discount: undefined,
      dueDate: '2026-01-31',
      daysOverdue: 1,
      requestedTermDays: 1,
      approvedTermDays: 1,
      decision: { approved: false, reason: '<b>limit</b> exceeded' },
      recommendation: { verdict: 'approve', findings: [] },
      legalAction: { terminateCooperation: false, litigation: false },
      gradeBefore: 'CC',
      gradeAfter: 'CC',
      contact: { name: 'Desk', email: 'desk "x"@acme.example' },
      actionUrl: 'javascript:alert(1)',
    },
    settledWithDiscount: fullCtx({ outstandingMinor: 0, paymentMinor: 12_222_221, daysOverdue: undefined }),
    partialNotOverdue: fullCtx({ daysOverdue: 0, discount: undefined, gradeBefore: undefined }),
    noDueDate: fullCtx({
      dueDate: undefined,
      daysOverdue: undefined,
      decision: { approved: false, reason: 'no' },
    }),
    noLink: fullCtx({ actionUrl: undefined, recommendation: undefined, currency: 'JPY' }),
    terminateOnly: fullCtx({
      legalAction: { terminateCooperation: true, litigation: false },
      currency: 'BHD',
    }),
  };
  const rendered = async (kind: ReceivableMailKind, lang: MailLanguage, ctx: ReceivableMailContext) => {
    try {
      return await renderReceivableMail(kind, lang, ctx);
    } catch (err) {
      return { error: (err as Error).message };
    }
  };

  it('every kind in both languages, over every context: the same subject, text and HTML', async () => {
    const digests: Record<string, string> = {};
    for (const [name, ctx] of Object.entries(variants))
      for (const kind of RECEIVABLE_MAIL_KINDS)
        for (const lang of MAIL_LANGUAGES)
          digests[`${kind} ${lang} ${name}`] = createHash('sha256')
            .update(JSON.stringify(await rendered(kind, lang, ctx)))
            .digest('hex')
            .slice(0, 16);
    expect(digests).toMatchSnapshot();
  });

  for (const kind of ['payment-reminder', 'overdue-warning-letter', 'payment-received'] as const)
    for (const lang of MAIL_LANGUAGES)
      it(`${kind} / ${lang} reads exactly as pinned`, async () => {
        const mail = await renderReceivableMail(kind, lang, fullCtx());
        expect({ subject: mail.subject, text: mail.text }).toMatchSnapshot();
      });

  it('the HTML of one mail in each language reads exactly as pinned', async () => {
    for (const lang of MAIL_LANGUAGES)
      expect((await renderReceivableMail('credit-terms', lang, fullCtx())).html).toMatchSnapshot();
  });
});
