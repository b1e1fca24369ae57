/**
 * Pins every rendered receivable mail (subject, text and HTML) of every kind in both languages, over
 * contexts that take each template's branches, so a change to how the templates are written cannot
 * change a single character a recipient reads. A few are pinned readably; all of them by digest.
 * A deliberate change of wording updates the snapshot (`vitest -u`) in the same commit.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  MAIL_LANGUAGES,
  RECEIVABLE_MAIL_KINDS,
  type ReceivableMailContext,
  renderReceivableMail,
} from '../../activities/receivable/mail-templates.js';

const FULL: ReceivableMailContext = {
  companyName: 'Acme',
  receivableId: 'R-1',
  counterpartyName: '华东商贸有限公司',
  salespersonName: '王伟',
  currency: 'CNY',
  amountMinor: 12_345_678,
  outstandingMinor: 10_000_000,
  issueDate: '2026-11-01',
  dueDate: '2026-12-01',
  daysOverdue: 16,
  discount: { rateBp: 150, days: 10, lastDay: '2026-11-11', discountedMinor: 12_160_493, netDays: 30 },
  contact: { name: '李娜', email: 'li.na@acme.example', phone: '+86 21 5555 0100' },
  requestedTermDays: 45,
  approvedTermDays: 30,
  decision: { approved: true },
  recommendation: { verdict: 'review', findings: ['amount exceeds 80% of available limit', 'new dealer'] },
  deadline: '2026-11-04 09:00',
  legalAction: { terminateCooperation: true, litigation: true },
  paymentMinor: 2_345_678,
  gradeBefore: 'AB',
  gradeAfter: 'BA',
  actionUrl: 'https://creditflow.example/receivables/R-1',
};

/** Contexts that take the templates' other branches. */
const VARIANTS: Record<string, ReceivableMailContext> = {
  full: FULL,
  sparse: {
    companyName: 'A<b>cme & Co',
    receivableId: 'R-2',
    counterpartyName: 'Beta "Supply"',
    salespersonName: 'Sam',
    currency: 'USD',
    amountMinor: 100,
    outstandingMinor: 0,
    paymentMinor: 100,
    dueDate: '2026-01-31',
    daysOverdue: 1,
    requestedTermDays: 1,
    approvedTermDays: 1,
    decision: { approved: false, reason: '<b>limit</b> exceeded' },
    recommendation: { verdict: 'approve', findings: [] },
    deadline: '2026-01-02 17:30',
    legalAction: { terminateCooperation: false, litigation: false },
    gradeBefore: 'CC',
    gradeAfter: 'CC',
    contact: { name: 'Desk', email: 'desk "x"@acme.example' },
    actionUrl: 'javascript:alert(1)',
  },
  settledWithDiscount: { ...FULL, outstandingMinor: 0, paymentMinor: 12_160_493, daysOverdue: undefined },
  partialNotOverdue: { ...FULL, daysOverdue: 0, discount: undefined, gradeBefore: undefined },
  noDueDate: {
    ...FULL,
    dueDate: undefined,
    daysOverdue: undefined,
    decision: { approved: false, reason: 'no' },
  },
  noLink: { ...FULL, actionUrl: undefined, recommendation: undefined, currency: 'JPY' },
  terminateOnly: { ...FULL, legalAction: { terminateCooperation: true, litigation: false }, currency: 'BHD' },
};

function render(
  kind: (typeof RECEIVABLE_MAIL_KINDS)[number],
  lang: (typeof MAIL_LANGUAGES)[number],
  ctx: ReceivableMailContext,
) {
  try {
    return renderReceivableMail(kind, lang, ctx);
  } catch (err) {
    return { error: (err as Error).message };
  }
}

describe('the rendered receivable mails are pinned', () => {
  it('every kind in both languages, over every context: the same subject, text and HTML', () => {
    const digests: Record<string, string> = {};
    for (const [name, ctx] of Object.entries(VARIANTS))
      for (const kind of RECEIVABLE_MAIL_KINDS)
        for (const lang of MAIL_LANGUAGES)
          digests[`${kind} ${lang} ${name}`] = createHash('sha256')
            .update(JSON.stringify(render(kind, lang, ctx)))
            .digest('hex')
            .slice(0, 16);
    expect(digests).toMatchSnapshot();
  });

  for (const kind of ['payment-reminder', 'overdue-warning-letter', 'payment-received'] as const)
    for (const lang of MAIL_LANGUAGES)
      it(`${kind} / ${lang} reads exactly as pinned`, () => {
        const mail = renderReceivableMail(kind, lang, FULL);
        expect({ subject: mail.subject, text: mail.text }).toMatchSnapshot();
      });

  it('the HTML of one mail in each language reads exactly as pinned', () => {
    for (const lang of MAIL_LANGUAGES)
      expect(renderReceivableMail('credit-terms', lang, FULL).html).toMatchSnapshot();
  });
});
