/**
 * Every kind of message creditflow writes (docs/templates.md): the variables its template may use, sample
 * data to preview it with, and what its data must hold before it is rendered. A template is checked
 * against its kind's variables when it is stored (PUT /v1/templates/:kind/:language).
 */

import { buildStatement } from '../../domain/statement.js';

/** The language a kind falls back to when it has no template in the recipient's language. */
export const DEFAULT_LANGUAGE = 'zh-CN';

/** The languages creditflow ships templates in; a company may add more. */
export const SHIPPED_LANGUAGES = ['zh-CN', 'en'] as const;

/** A language tag as templates and counterparties carry it: 'zh-CN', 'en', 'ja', 'zh-Hant-TW'. */
export const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$/;

/** What a variable holds, for the people who edit templates. */
export interface VariableDoc {
  /** 'text', 'integer', 'minor units', 'YYYY-MM-DD', 'boolean', 'list', 'object'. */
  type: string;
  description: string;
  /** The fields of an object, or of each item of a list. */
  fields?: Record<string, VariableDoc>;
}

export interface KindDefinition {
  kind: string;
  /** What the message is and to whom it goes. */
  description: string;
  /** 'mail' or 'letter' (a letter is also printed as a PDF). */
  form: 'mail' | 'letter';
  variables: Record<string, VariableDoc>;
  sample: Record<string, unknown>;
  /** Throws an Error naming the missing or bad field (`<kind> needs data.<path>`). */
  validate?: (data: Record<string, unknown>) => void;
}

const v = (type: string, description: string, fields?: Record<string, VariableDoc>): VariableDoc =>
  fields ? { type, description, fields } : { type, description };

// ---------------------------------------------------------------------------------------------------------
// The receivable workflow's mails (docs/domain.md §1)

export const RECEIVABLE_MAIL_KINDS = [
  'approval-request',
  'approval-escalated',
  'application-decision',
  'credit-terms',
  'payment-reminder',
  'phone-task',
  'visit-task',
  'collection-notice',
  'late-reason-request',
  'second-collection-notice',
  'overdue-warning-letter',
  'supply-stopped',
  'supply-resumed',
  'credit-desk-handover',
  'legal-escalation',
  'payment-received',
] as const;
export type ReceivableMailKind = (typeof RECEIVABLE_MAIL_KINDS)[number];

/** The data of every receivable mail. */
export interface ReceivableMailContext {
  companyName: string;
  receivableId: string;
  counterpartyName: string;
  salespersonName: string;
  /** ISO 4217, e.g. 'CNY'. */
  currency: string;
  /** Integer minor units: the approved (or, before approval, the applied-for) amount. */
  amountMinor: number;
  outstandingMinor: number;
  issueDate?: string;
  dueDate?: string;
  daysOverdue?: number;
  /** Cash-discount terms; for 'payment-received' only when the settlement used the discount. */
  discount?: { rateBp: number; days: number; lastDay: string; discountedMinor: number; netDays: number };
  contact: { name: string; email: string; phone?: string };
  requestedTermDays?: number;
  approvedTermDays?: number;
  decision?: { approved: boolean; reason?: string };
  recommendation?: { verdict: 'approve' | 'review' | 'reject'; findings: string[] };
  /** 'YYYY-MM-DD HH:mm' local. */
  deadline?: string;
  legalAction?: { terminateCooperation: boolean; litigation: boolean };
  paymentMinor?: number;
  gradeBefore?: string;
  gradeAfter?: string;
  /** Where the recipient acts; only an http(s) address is shown as a link (filter action_link). */
  actionUrl?: string;
  /** A debtor's message: the debtor's own page (its items, statement, promise to pay, dispute). */
  portalLink?: string;
}

const RECEIVABLE_VARIABLES: Record<string, VariableDoc> = {
  language: v('text', "the message's language tag"),
  companyName: v('text', "the company's name"),
  receivableId: v('text', 'the receivable (invoice, application) number'),
  counterpartyName: v('text', "the debtor's name"),
  salespersonName: v('text', "the salesperson's name"),
  currency: v('text', 'ISO 4217 code of the amounts'),
  amountMinor: v('minor units', 'the approved (before approval, the applied-for) amount'),
  outstandingMinor: v('minor units', 'the amount outstanding'),
  issueDate: v('YYYY-MM-DD', 'the issue date, once issued'),
  dueDate: v('YYYY-MM-DD', 'the due date, once issued'),
  daysOverdue: v('integer', 'calendar days past the due date'),
  discount: v('object', 'the cash-discount terms, when they apply', {
    rateBp: v('integer', 'the discount in basis points (100 = 1%)'),
    days: v('integer', 'days after issue the discount is offered'),
    lastDay: v('YYYY-MM-DD', 'the last day to pay with the discount'),
    discountedMinor: v('minor units', 'the amount to pay with the discount'),
    netDays: v('integer', 'the payment term in days'),
  }),
  contact: v('object', 'whom the recipient should contact', {
    name: v('text', 'name'),
    email: v('text', 'e-mail address'),
    phone: v('text', 'telephone, when known'),
  }),
  requestedTermDays: v('integer', 'the term applied for, in days'),
  approvedTermDays: v('integer', 'the approved term, in days'),
  decision: v('object', "the application's decision", {
    approved: v('boolean', 'approved or rejected'),
    reason: v('text', 'the reason of a rejection'),
  }),
  recommendation: v('object', 'what the automatic checks recommend', {
    verdict: v('text', "'approve', 'review' or 'reject'"),
    findings: v('list', 'what the checks found (texts)'),
  }),
  deadline: v('text', "a decision's or confirmation's deadline, 'YYYY-MM-DD HH:mm' local"),
  legalAction: v('object', 'the proposed legal measures', {
    terminateCooperation: v('boolean', 'end the cooperation'),
    litigation: v('boolean', 'go to court'),
  }),
  paymentMinor: v('minor units', 'the payment received'),
  gradeBefore: v('text', 'the credit grade before'),
  gradeAfter: v('text', 'the credit grade after'),
  actionUrl: v('text', 'where the recipient acts (filter action_link)'),
  portalLink: v('text', "a debtor's message: the debtor's own page (filter action_link)"),
};

/** Full sample data: every field present (the preview's default, and the tests' full context). */
export const RECEIVABLE_SAMPLE: ReceivableMailContext = {
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
  discount: { rateBp: 100, days: 10, lastDay: '2026-11-11', discountedMinor: 12_222_221, netDays: 30 },
  contact: { name: '李娜', email: 'li.na@acme.example', phone: '+86 21 5555 0100' },
  requestedTermDays: 45,
  approvedTermDays: 30,
  decision: { approved: true },
  recommendation: { verdict: 'review', findings: ['amount exceeds 80% of available limit'] },
  deadline: '2026-11-04 09:00',
  legalAction: { terminateCooperation: true, litigation: true },
  paymentMinor: 2_345_678,
  gradeBefore: 'AB',
  gradeAfter: 'BA',
  actionUrl: 'https://creditflow.example/receivables/R-1',
  portalLink: 'https://creditflow.example/portal/abc',
};

const isMissing = (x: unknown): boolean => x === undefined || x === null || x === '';
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const at = (data: Record<string, unknown>, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
      data,
    );

/** The fields each receivable kind cannot do without, beyond the base fields every one needs. */
const RECEIVABLE_REQUIRES: Record<ReceivableMailKind, readonly string[]> = {
  'approval-request': ['requestedTermDays', 'recommendation', 'deadline'],
  'approval-escalated': ['requestedTermDays', 'deadline'],
  'application-decision': ['decision'],
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

function validateReceivable(kind: ReceivableMailKind, data: Record<string, unknown>): void {
  const fail = (path: string, what = 'needs'): never => {
    throw new Error(`${kind} ${what} data.${path}`);
  };
  for (const path of [
    'companyName',
    'receivableId',
    'counterpartyName',
    'salespersonName',
    'currency',
    'contact',
    'contact.name',
    'contact.email',
  ])
    if (isMissing(at(data, path))) fail(path);
  for (const f of RECEIVABLE_REQUIRES[kind]) if (isMissing(data[f])) fail(f);
  if (kind === 'application-decision') {
    const approved = at(data, 'decision.approved') === true;
    if (approved) {
      if (isMissing(data.approvedTermDays)) fail('approvedTermDays');
      if (isMissing(data.dueDate)) fail('dueDate');
    } else if (isMissing(at(data, 'decision.reason'))) fail('decision.reason');
  }
  for (const path of ['amountMinor', 'outstandingMinor'])
    if (!Number.isSafeInteger(at(data, path))) fail(path, 'needs an integer in');
  for (const path of [
    'paymentMinor',
    'daysOverdue',
    'requestedTermDays',
    'approvedTermDays',
    'discount.discountedMinor',
    'discount.rateBp',
  ]) {
    const x = at(data, path);
    if (x !== undefined && !Number.isSafeInteger(x)) fail(path, 'needs an integer in');
  }
  for (const path of ['issueDate', 'dueDate', 'discount.lastDay']) {
    const x = at(data, path);
    if (x !== undefined && !(typeof x === 'string' && DATE_RE.test(x)))
      fail(path, 'needs a YYYY-MM-DD date in');
  }
}

const RECEIVABLE_DESCRIPTIONS: Record<ReceivableMailKind, string> = {
  'approval-request': 'to the finance and marketing approvers: a credit application awaits their decision',
  'approval-escalated': 'to a manager: an application not decided within the deadline',
  'application-decision': 'to the salesperson: the application approved (amount, term, due date) or rejected',
  'credit-terms':
    'to the debtor: the purchase on credit issued, the amount, due date and cash-discount terms',
  'payment-reminder': 'to the debtor before the due date',
  'phone-task': 'to the salesperson before the due date: phone the debtor',
  'visit-task': 'to the salesperson after the due date, debtor in the home region: visit',
  'collection-notice': '催款通知单, to a debtor elsewhere after the due date, from the salesperson',
  'late-reason-request': 'to the salesperson after the due date: find out and record why it is late',
  'second-collection-notice': "the second notice, in the company's name",
  'overdue-warning-letter': '客户欠款警告书: supply stopped, grade lowered',
  'supply-stopped': 'internal: supply to the counterparty stopped',
  'supply-resumed': 'internal: supply resumed',
  'credit-desk-handover': 'internal to the credit desk: the receivable passes to it',
  'legal-escalation': 'to a manager: proposed termination / legal action, confirm by the deadline',
  'payment-received': 'to the debtor: payment received, outstanding or settled',
};

// ---------------------------------------------------------------------------------------------------------
// The rating's and the salesperson assessment's mails

const OTHER_KINDS: KindDefinition[] = [
  {
    kind: 'dealer-grade',
    description: "to the dealer: its credit grade for the quarter, in the dealer's language",
    form: 'mail',
    variables: {
      language: v('text', "the message's language tag"),
      companyName: v('text', "the company's name"),
      dealer: v('object', 'the dealer', { name: v('text', "the dealer's name") }),
      quarter: v('text', "the quarter, e.g. '2026-Q1'"),
      grade: v('text', 'the new grade'),
      gradeBefore: v('text', 'the grade before, empty when none'),
      creditLimitMinor: v('minor units', 'the new credit limit'),
      creditTermDays: v('integer', 'the new credit term in days'),
      currency: v('text', "the policy's currency"),
    },
    sample: {
      companyName: 'Acme',
      dealer: { name: '华东商贸有限公司' },
      quarter: '2026-Q1',
      grade: 'AB',
      gradeBefore: 'BB',
      creditLimitMinor: 3_086_419,
      creditTermDays: 45,
      currency: 'CNY',
    },
  },
  {
    kind: 'continuation-decision',
    description:
      'to the managers (both languages): a dealer had two bad quarters in a row, decide by the deadline',
    form: 'mail',
    variables: {
      language: v('text', "the message's language tag"),
      companyName: v('text', "the company's name"),
      quarter: v('text', 'the quarter'),
      dealerId: v('text', "the dealer's id"),
      dealerName: v('text', "the dealer's name (its id when not found)"),
      grade: v('text', "this quarter's grade"),
      previousGrade: v('text', "the previous quarter's grade"),
      deadline: v('text', "the decision's deadline"),
      onDeadline: v('text', 'what applies without a decision'),
    },
    sample: {
      companyName: 'Acme',
      quarter: '2026-Q1',
      dealerId: 'D-1',
      dealerName: '华东商贸有限公司',
      grade: 'CC',
      previousGrade: 'CB',
      deadline: '2026-04-20 09:00',
      onDeadline: 'stop-supply',
    },
  },
  {
    kind: 'salesperson-assessment',
    description: "to finance (both languages): the month's salesperson receivable assessment table",
    form: 'mail',
    variables: {
      language: v('text', "the message's language tag"),
      companyName: v('text', "the company's name"),
      month: v('text', "the month, 'YYYY-MM'"),
      currency: v('text', "the policy's currency"),
      totalMinor: v('minor units', 'the total reward (+) / penalty (−)'),
      rows: v('list', 'one row per salesperson', {
        salespersonId: v('text', 'id'),
        salespersonName: v('text', 'name'),
        receivablesMinor: v('minor units', 'receivables'),
        totalRateBp: v('integer', 'the sum of the rates, basis points'),
        rewardPenaltyMinor: v('minor units', 'the reward (+) or penalty (−)'),
      }),
    },
    sample: {
      companyName: 'Acme',
      month: '2026-03',
      currency: 'CNY',
      totalMinor: -13_200,
      rows: [
        {
          salespersonId: 'S-1',
          salespersonName: '王伟',
          receivablesMinor: 1_200_000,
          totalRateBp: -110,
          rewardPenaltyMinor: -13_200,
        },
      ],
    },
  },
  {
    kind: 'salesperson-limit-warning',
    description:
      "to the salesperson and the managers: an application takes the salesperson's receivables past the warning level",
    form: 'mail',
    variables: {
      language: v('text', "the message's language tag"),
      salesperson: v('object', 'the salesperson', { id: v('text', 'id'), name: v('text', 'name') }),
      receivableId: v('text', 'the application'),
      amountMinor: v('minor units', "the application's amount"),
      afterMinor: v('minor units', "the salesperson's receivables with this application"),
      limitMinor: v('minor units', "the salesperson's limit"),
      usagePercent: v('integer', 'the share of the limit used, percent'),
      warningBp: v('integer', 'the warning level, basis points'),
      currency: v('text', "the application's currency"),
    },
    sample: {
      salesperson: { id: 'S-1', name: '王伟' },
      receivableId: 'R-1',
      amountMinor: 500_000,
      afterMinor: 8_500_000,
      limitMinor: 10_000_000,
      usagePercent: 85,
      warningBp: 8000,
      currency: 'CNY',
    },
  },
  {
    kind: 'score-early-warning',
    description:
      "to the credit desk and the customer's salespeople, once per episode: a customer's credit score is worsening (docs/scores.md)",
    form: 'mail',
    variables: {
      language: v('text', "the message's language tag"),
      company: v('object', 'the company', { name: v('text', 'name') }),
      counterparty: v('object', 'the customer', { id: v('text', 'id'), name: v('text', 'name') }),
      before: v('object', 'the score and class before', {
        score: v('integer', 'the previous score (null for the first)'),
        customerClass: v('text', 'the class it stood in'),
      }),
      after: v('object', 'the score and class now', {
        score: v('integer', 'the score, 0–100'),
        customerClass: v('text', 'A, B, C or D'),
      }),
      reasons: v('list', "'score-drop' and/or 'class-fall'"),
      warning: v('object', "the policy's warning", {
        dropPoints: v('integer', 'points'),
        overRefreshes: v('integer', 'refreshes'),
      }),
      weakest: v('list', 'the factors that score lowest', {
        factor: v('text', 'the factor'),
        points: v('integer', '0–100'),
        weight: v('integer', 'its weight'),
        missing: v('text', "why it is missing ('none', 'stale', 'no-history'), if it is"),
      }),
      trigger: v('text', 'what refreshed the score (payment, step-warning, schedule …)'),
      triggerText: v('text', 'the same, for people'),
      date: v('YYYY-MM-DD', 'the day of the refresh'),
    },
    sample: {
      company: { name: 'Acme' },
      counterparty: { id: 'C-1', name: '华东零售有限公司' },
      before: { score: 70, customerClass: 'B' },
      after: { score: 58, customerClass: 'C' },
      reasons: ['score-drop', 'class-fall'],
      warning: { dropPoints: 10, overRefreshes: 3 },
      weakest: [
        { factor: 'onTimeRate', points: 0, weight: 12 },
        { factor: 'creditReport', points: 10, weight: 15 },
        { factor: 'contractFulfilment', points: 50, weight: 5, missing: 'stale' },
      ],
      trigger: 'payment',
      triggerText: 'payment',
      date: '2026-06-30',
    },
  },
];

// ---------------------------------------------------------------------------------------------------------
// The formal letters (their templates and PDF are the letters slice's; seam 3 of the brief)

const LETTER_ITEM: Record<string, VariableDoc> = {
  receivableId: v('text', 'the receivable'),
  issueDate: v('YYYY-MM-DD', 'issued'),
  dueDate: v('YYYY-MM-DD', 'due'),
  amountMinor: v('minor units', 'the amount'),
  outstandingMinor: v('minor units', 'outstanding'),
  currency: v('text', 'ISO 4217'),
  daysOverdue: v('integer', 'days overdue'),
};
const LETTER_VARIABLES: Record<string, VariableDoc> = {
  language: v('text', "the letter's language tag"),
  company: v('object', 'the company (letterhead)', {
    name: v('text', 'name'),
    address: v('text', 'address'),
    contact: v('text', 'contact'),
  }),
  counterparty: v('object', 'the debtor', {
    id: v('text', 'id'),
    name: v('text', 'name'),
    address: v('text', 'postal address'),
    contactName: v('text', 'contact person'),
  }),
  letterNumber: v('text', "the letter's number, e.g. CF-2026-000123"),
  date: v('YYYY-MM-DD', "the letter's date"),
  deadline: v('YYYY-MM-DD', 'pay by'),
  items: v('list', 'the receivables concerned', LETTER_ITEM),
  totals: v('list', 'the outstanding total per currency', {
    currency: v('text', 'ISO 4217'),
    outstandingMinor: v('minor units', 'outstanding'),
  }),
};
const LETTER_SAMPLE = {
  company: { name: 'Acme', address: '上海市浦东新区世纪大道 100 号', contact: '021-5555 0100' },
  counterparty: {
    id: 'C-1',
    name: '华东商贸有限公司',
    address: '杭州市西湖区文三路 1 号',
    contactName: '张三',
  },
  letterNumber: 'CF-2026-000123',
  date: '2026-12-16',
  deadline: '2026-12-26',
  items: [
    {
      receivableId: 'R-1',
      issueDate: '2026-11-01',
      dueDate: '2026-12-01',
      amountMinor: 12_345_678,
      outstandingMinor: 10_000_000,
      currency: 'CNY',
      daysOverdue: 15,
    },
  ],
  totals: [{ currency: 'CNY', outstandingMinor: 10_000_000 }],
};
const LETTER_KINDS: KindDefinition[] = [
  ['letter-collection-notice', '催款通知单: the collection notice as a letter'],
  ['letter-second-notice', 'the second collection notice as a letter'],
  ['letter-warning', '客户欠款警告书: the overdue warning letter'],
  ['letter-legal-notice', 'the legal notice before court'],
].map(([kind, description]) => ({
  kind: kind as string,
  description: description as string,
  form: 'letter' as const,
  variables: LETTER_VARIABLES,
  sample: LETTER_SAMPLE,
}));
const STATEMENT_VARIABLES: Record<string, VariableDoc> = {
  ...LETTER_VARIABLES,
  from: v('YYYY-MM-DD', "the period's first day"),
  to: v('YYYY-MM-DD', "the period's last day"),
  currencies: v('list', 'per currency: the balances of the period and the aging of what is open', {
    currency: v('text', 'ISO 4217'),
    openingMinor: v('minor units', 'the opening balance'),
    invoicedMinor: v('minor units', 'invoiced in the period'),
    paidMinor: v('minor units', 'paid in the period'),
    discountMinor: v('minor units', 'cash discounts in the period'),
    writtenOffMinor: v('minor units', 'written off in the period'),
    closingMinor: v('minor units', 'the closing balance'),
    aging: v('list', 'what is open by aging bucket', {
      bucket: v('text', 'the aging bucket'),
      outstandingMinor: v('minor units', 'outstanding'),
      items: v('integer', 'how many receivables'),
    }),
  }),
  movements: v('list', 'invoices, payments, discounts and write-offs in the period, by date', {
    date: v('YYYY-MM-DD', 'date'),
    kind: v('text', "'invoice', 'payment', 'discount' or 'write-off'"),
    receivableId: v('text', 'the receivable'),
    currency: v('text', 'ISO 4217'),
    debitMinor: v('minor units', 'debit'),
    creditMinor: v('minor units', 'credit'),
  }),
  portalLink: v('text', "the debtor's own page (filter action_link)"),
  openItems: v('list', 'the receivables open at the end of the period', {
    ...LETTER_ITEM,
    bucket: v('text', 'the aging bucket'),
  }),
};
/** A month's statement of a debtor with an overdue and a current receivable, one partly paid. */
const STATEMENT_SAMPLE = {
  ...LETTER_SAMPLE,
  ...buildStatement(
    '2026-11-01',
    '2026-11-30',
    [
      {
        id: 'R-1',
        currency: 'CNY',
        amountMinor: 12_345_678,
        issueDate: '2026-10-01',
        dueDate: '2026-10-31',
        stage: 'overdue',
        writtenOffMinor: 0,
        settledOn: null,
      },
      {
        id: 'R-2',
        currency: 'CNY',
        amountMinor: 333_300,
        issueDate: '2026-11-08',
        dueDate: '2026-12-08',
        stage: 'issued',
        writtenOffMinor: 0,
        settledOn: null,
      },
    ],
    [{ receivableId: 'R-1', paidOn: '2026-11-20', amountMinor: 2_345_678, discountMinor: 0 }],
  ),
};
LETTER_KINDS.push(
  {
    kind: 'statement',
    description: '对账单: the statement of account of a counterparty for a period',
    form: 'letter',
    variables: STATEMENT_VARIABLES,
    sample: STATEMENT_SAMPLE,
  },
  {
    kind: 'statement-mail',
    description: "the e-mail that carries a statement of account (its subject is the statement's)",
    form: 'mail',
    variables: STATEMENT_VARIABLES,
    sample: STATEMENT_SAMPLE,
  },
);

/** One line of a grouped message (activities/correspondence/activities.ts `MessageItem`). */
const MESSAGE_ITEM: Record<string, VariableDoc> = {
  receivableId: v('text', 'the receivable'),
  step: v(
    'text',
    "what this step means: 'reminder', 'collection-notice', 'second-notice', 'warning-letter', 'legal-notice' (a debtor's); 'phone-task', 'visit-task', 'late-reason-request' (a salesperson's)",
  ),
  counterpartyName: v('text', "the debtor's name"),
  issueDate: v('YYYY-MM-DD', 'issued'),
  dueDate: v('YYYY-MM-DD', 'due'),
  amountMinor: v('minor units', 'the amount'),
  outstandingMinor: v('minor units', 'outstanding'),
  currency: v('text', 'ISO 4217'),
  daysOverdue: v('integer', 'calendar days past the due date'),
  taskDueOn: v('YYYY-MM-DD', "a salesperson's task: the day it is due"),
};
const GROUPED_VARIABLES: Record<string, VariableDoc> = {
  language: v('text', "the message's language tag"),
  company: v('object', 'the company', { name: v('text', 'name') }),
  day: v('YYYY-MM-DD', 'the working day the steps fired on'),
  items: v('list', "the day's items, the most escalated first", MESSAGE_ITEM),
  totals: v('list', 'the outstanding total per currency', {
    currency: v('text', 'ISO 4217'),
    outstandingMinor: v('minor units', 'outstanding'),
  }),
};
const GROUPED_ITEM_SAMPLE = {
  receivableId: 'R-1',
  counterpartyName: '华东商贸有限公司',
  issueDate: '2026-10-01',
  dueDate: '2026-10-31',
  amountMinor: 12_345_678,
  outstandingMinor: 10_000_000,
  currency: 'CNY',
  daysOverdue: 15,
};
const GROUPED_KINDS: KindDefinition[] = [
  {
    kind: 'debtor-notices',
    description:
      "to a debtor: the day's notices (reminders, collection and second notices, warning and legal notices) in one message, its letters attached",
    form: 'mail',
    variables: {
      ...GROUPED_VARIABLES,
      counterparty: v('object', 'the debtor', { id: v('text', 'id'), name: v('text', 'name') }),
      contact: v('object', 'whom the debtor asks: the salesperson, or the credit desk once escalated', {
        name: v('text', 'name'),
        email: v('text', 'e-mail'),
        phone: v('text', 'phone'),
      }),
      portalLink: v('text', "the debtor's own page (its items, statement, promise to pay, dispute)"),
    },
    sample: {
      company: { name: 'Acme' },
      counterparty: { id: 'C-1', name: '华东商贸有限公司' },
      day: '2026-11-15',
      items: [
        { ...GROUPED_ITEM_SAMPLE, step: 'warning-letter' },
        {
          ...GROUPED_ITEM_SAMPLE,
          receivableId: 'R-2',
          step: 'reminder',
          dueDate: '2026-11-22',
          daysOverdue: 0,
        },
      ],
      totals: [{ currency: 'CNY', outstandingMinor: 20_000_000 }],
      contact: { name: 'Acme credit desk', email: 'credit-desk@acme.test', phone: null },
      portalLink: 'https://credit.acme.test/portal/abc',
    },
  },
  {
    kind: 'salesperson-tasks',
    description: "to a salesperson: the day's tasks (phone, visit, late-reason request) in one message",
    form: 'mail',
    variables: {
      ...GROUPED_VARIABLES,
      salesperson: v('object', 'the salesperson', { id: v('text', 'id'), name: v('text', 'name') }),
    },
    sample: {
      company: { name: 'Acme' },
      salesperson: { id: 'S-1', name: '王五' },
      day: '2026-11-01',
      items: [{ ...GROUPED_ITEM_SAMPLE, step: 'phone-task', taskDueOn: '2026-10-31' }],
      totals: [{ currency: 'CNY', outstandingMinor: 10_000_000 }],
    },
  },
];

// ---------------------------------------------------------------------------------------------------------

export const KINDS: readonly KindDefinition[] = [
  ...RECEIVABLE_MAIL_KINDS.map(
    (kind): KindDefinition => ({
      kind,
      description: RECEIVABLE_DESCRIPTIONS[kind],
      form: 'mail',
      variables: RECEIVABLE_VARIABLES,
      sample: RECEIVABLE_SAMPLE as unknown as Record<string, unknown>,
      validate: (data) => validateReceivable(kind, data),
    }),
  ),
  ...OTHER_KINDS,
  ...GROUPED_KINDS,
  ...LETTER_KINDS,
];

const BY_KIND = new Map(KINDS.map((k) => [k.kind, k]));

export function kindOf(kind: string): KindDefinition | undefined {
  return BY_KIND.get(kind);
}

/** Properties Liquid gives every list and text. */
const BUILT_IN_PROPERTIES = new Set(['size', 'first', 'last']);

/**
 * The variable paths a template reads that its kind does not offer, e.g. 'contact.fax' or 'debtorName'.
 * A path is checked as deep as the kind documents it (a list's items by their fields).
 */
export function unknownVariables(
  kind: KindDefinition,
  paths: readonly (readonly (string | number)[])[],
): string[] {
  const unknown: string[] = [];
  for (const path of paths) {
    let scope: Record<string, VariableDoc> | undefined = kind.variables;
    const named: string[] = [];
    for (const seg of path) {
      if (typeof seg !== 'string') continue; // an index: the same fields
      named.push(seg);
      if (scope === undefined) break; // not documented deeper
      const doc: VariableDoc | undefined = scope[seg];
      if (!doc) {
        if (named.length > 1 && BUILT_IN_PROPERTIES.has(seg)) break;
        unknown.push(named.join('.'));
        break;
      }
      scope = doc.fields;
    }
  }
  return [...new Set(unknown)];
}
