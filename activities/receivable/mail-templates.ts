/**
 * E-mail templates for the receivable workflow (docs/domain.md §1, 应收帐款收帐程序).
 *
 * Pure functions: no I/O, no clock. Every kind of mail has one line in {@link FRAMES}
 * (its tone, whom it greets, who signs it) and one entry in {@link SPECS}: the context
 * fields it needs and one function that writes the mail's texts (subject, title, blocks
 * of paragraphs / facts / lists / an action link, contact) in both languages at once:
 * each text is `k.t(chinese, english)`, and the labels, rows, greetings and sign-offs
 * the kinds share are written once (LABELS, overdueRows, `to`, `signed`), as is the
 * order most mails about an overdue receivable follow (overdueSpec: each such kind
 * names only its texts, {@link overdueDocument} sets them out). A single
 * renderer turns a MailDoc into plain text and inline-styled HTML, escaping every
 * interpolated value, so no template writes HTML by hand.
 *
 * Money is an integer count of the currency's minor unit; dates are the
 * company-local 'YYYY-MM-DD' strings the workflow already holds. Both are shown
 * by the one formatter of domain/format.js.
 */
import { addDays } from '../../domain/calendar.js';
import { escapeHtml, formatMoney } from '../../domain/format.js';

export type MailLanguage = 'zh-CN' | 'en';

export type ReceivableMailKind =
  | 'approval-request' // to finance & marketing approvers: a new credit application awaits a decision
  | 'approval-escalated' // to a manager: not decided within the deadline; the manager decides
  | 'application-decision' // to the salesperson: approved (amount, term, due date) or rejected (reason)
  | 'credit-terms' // to the debtor: purchase on credit issued, amount, due date, cash-discount terms
  | 'payment-reminder' // to the debtor at due−7
  | 'phone-task' // to the salesperson at due−7: phone the debtor
  | 'visit-task' // to the salesperson at due+1, debtor in the home region: visit, find out why it is late
  | 'collection-notice' // 催款通知单, to a debtor elsewhere at due+1, from the salesperson
  | 'late-reason-request' // to the salesperson at due+1: find out and record why it is late
  | 'second-collection-notice' // +7, in the company's name
  | 'overdue-warning-letter' // 客户欠款警告书, +15
  | 'supply-stopped' // internal: supply to the counterparty stopped
  | 'supply-resumed' // internal: supply resumed
  | 'credit-desk-handover' // internal to the credit desk: the receivable passes to you
  | 'legal-escalation' // to a manager at +30: proposed action, confirm by the deadline
  | 'payment-received'; // to the debtor: payment received, outstanding (or settled)

export const RECEIVABLE_MAIL_KINDS: readonly ReceivableMailKind[] = [
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
];

export const MAIL_LANGUAGES: readonly MailLanguage[] = ['zh-CN', 'en'];

export interface ReceivableMailContext {
  companyName: string;
  receivableId: string;
  counterpartyName: string;
  salespersonName: string;
  /** ISO 4217, e.g. 'CNY'. */
  currency: string;
  /** Integer minor units (fen/cents): the approved (or, before approval, the applied-for) amount. */
  amountMinor: number;
  /** Integer minor units. */
  outstandingMinor: number;
  /** 'YYYY-MM-DD', calendar date in the company's time zone. */
  issueDate?: string;
  /** 'YYYY-MM-DD'. */
  dueDate?: string;
  daysOverdue?: number;
  /**
   * Cash-discount terms; 1/10 n/30 = {rateBp:100, days:10, netDays:30}.
   * For 'payment-received', pass it only when the settlement used the discount.
   */
  discount?: { rateBp: number; days: number; lastDay: string; discountedMinor: number; netDays: number };
  /** Whom the recipient (for debtor mail: the debtor) should contact. */
  contact: { name: string; email: string; phone?: string };
  requestedTermDays?: number;
  approvedTermDays?: number;
  decision?: { approved: boolean; reason?: string };
  recommendation?: { verdict: 'approve' | 'review' | 'reject'; findings: string[] };
  /** 'YYYY-MM-DD HH:mm' local, for approval / manager confirmation. */
  deadline?: string;
  legalAction?: { terminateCooperation: boolean; litigation: boolean };
  paymentMinor?: number;
  gradeBefore?: string;
  gradeAfter?: string;
  /** Where the recipient acts (API / UI link). Only http(s) links are rendered as links. */
  actionUrl?: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

// ---------------------------------------------------------------------------
// Small formatting helpers
// ---------------------------------------------------------------------------

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** 100 bp → '1%', 150 → '1.5%', 25 → '0.25%' (integer arithmetic). */
function formatPercent(bp: number): string {
  const whole = Math.trunc(bp / 100);
  const frac = Math.abs(bp % 100);
  if (frac === 0) return `${whole}%`;
  return `${whole}.${String(frac).padStart(2, '0').replace(/0$/, '')}%`;
}

type Discount = NonNullable<ReceivableMailContext['discount']>;

/** 'Kit' = what a template needs to write and format values in its language. */
interface Kit {
  /** The Chinese or the English of a text, by the mail's language. */
  t<T>(zh: T, en: T): T;
  money(minor: number): string;
  days(n: number): string;
  /** Days overdue as a table shows them: '16 天', '16'. */
  overdue(n: number): string;
  percent(bp: number): string;
  /** '1/10, n/30'. */
  terms(d: Discount): string;
  plusDays(date: string, n: number): string;
}

function makeKit(ctx: ReceivableMailContext, language: MailLanguage): Kit {
  const zh = language === 'zh-CN';
  const days = (n: number) => (zh ? `${n} 天` : `${n} day${n === 1 ? '' : 's'}`);
  return {
    t: (zhText, enText) => (zh ? zhText : enText),
    money: (minor) => formatMoney(minor, ctx.currency, language),
    days,
    overdue: (n) => (zh ? days(n) : String(n)),
    percent: formatPercent,
    terms: (d) => `${formatPercent(d.rateBp).replace('%', '')}/${d.days}${zh ? '，' : ', '}n/${d.netDays}`,
    plusDays: addDays,
  };
}

// ---------------------------------------------------------------------------
// The document model a template produces
// ---------------------------------------------------------------------------

type Row = readonly [label: string, value: string | undefined];

type Block =
  | { readonly type: 'p'; readonly text: string; readonly strong?: boolean }
  | { readonly type: 'facts'; readonly rows: readonly Row[] }
  | { readonly type: 'list'; readonly items: readonly string[]; readonly ordered?: boolean }
  | { readonly type: 'action'; readonly label: string; readonly url: string };

type Tone = 'info' | 'notice' | 'warning';

interface MailDoc {
  /** Subject without the '[Company] ' prefix. */
  subject: string;
  title: string;
  tone: Tone;
  greeting: string;
  blocks: readonly (Block | undefined | false)[];
  /** The sentence that introduces ctx.contact. */
  contactIntro: string;
  signOff: readonly string[];
}

/** What a kind writes; the greeting, sign-off and tone come from its frame ({@link FRAMES}). */
type MailText = Omit<MailDoc, 'tone' | 'greeting' | 'signOff'> & {
  /** Instead of the frame's tone (a rejected application is a notice, an approved one news). */
  tone?: Tone;
};

const p = (text: string, strong = false): Block => ({ type: 'p', text, strong });
const facts = (...rows: Row[]): Block => ({ type: 'facts', rows });
const list = (items: readonly string[], ordered = false): Block => ({ type: 'list', items, ordered });
const action = (label: string, url: string | undefined): Block | undefined =>
  url === undefined || url === '' ? undefined : { type: 'action', label, url };

// ---------------------------------------------------------------------------
// Kind table
// ---------------------------------------------------------------------------

type Ctx = ReceivableMailContext;
/** The context with the fields K known to be present. */
type With<K extends keyof Ctx> = Ctx & { [P in K]-?: NonNullable<Ctx[P]> };

/**
 * One kind of mail: what it needs and one description of it for both languages. Each sentence is
 * written as `k.t(chinese, english)`, so the two languages share one structure and cannot drift apart.
 */
interface Spec<K extends keyof Ctx> {
  /** Optional context fields this kind cannot do without. */
  requires: readonly K[];
  /** Further, conditional requirements; returns the missing field paths. */
  more?: (c: With<K>) => string[];
  doc: (c: With<K>, k: Kit) => MailText;
}

interface AnySpec {
  requires: readonly (keyof Ctx)[];
  more?: (c: Ctx) => string[];
  doc: (c: Ctx, k: Kit) => MailText;
}

/** Type-checks one entry against its own requirements; validation happens before a template runs. */
function spec<K extends keyof Ctx>(s: Spec<K>): AnySpec {
  return s as unknown as AnySpec;
}

/** For fields required conditionally (checked by `more`): narrows the type. */
function got<T>(value: T | undefined | null, path: string): T {
  if (value === undefined || value === null) throw new Error(`missing ctx.${path}`);
  return value;
}

const isMissing = (v: unknown): boolean => v === undefined || v === null || v === '';

// ---------------------------------------------------------------------------
// What the kinds share: labels, rows, the overdue mail's order, greetings and sign-offs
// ---------------------------------------------------------------------------

/** The labels of the facts tables, [Chinese, English]. */
const LABELS = {
  reference: ['申请编号', 'Reference'],
  receivable: ['应收帐款编号', 'Receivable'],
  invoice: ['应收帐款编号', 'Invoice'],
  customer: ['客户', 'Customer'],
  salesperson: ['业务员', 'Salesperson'],
  amountRequested: ['申请金额', 'Amount requested'],
  termRequested: ['申请帐期', 'Term requested'],
  originalAmount: ['原金额', 'Original amount'],
  outstanding: ['未付金额', 'Amount outstanding'],
  issueDate: ['开票日期', 'Issue date'],
  dueDate: ['到期日', 'Due date'],
  daysOverdue: ['逾期天数', 'Days overdue'],
  cashDiscount: ['现金折扣', 'Cash discount'],
  payment: ['本次收款', 'Payment received'],
  grade: ['信用等级', 'Credit grade'],
  currentGrade: ['当前信用等级', 'Current credit grade'],
} as const satisfies Record<string, readonly [string, string]>;

const row = (k: Kit, label: keyof typeof LABELS, value: string | undefined): Row => {
  const [zh, en] = LABELS[label];
  return [k.t<string>(zh, en), value];
};

/** Original amount, amount outstanding, due date: the rows every mail about an issued receivable shows. */
const amountRows = (
  c: Ctx,
  k: Kit,
  outstanding: Row = row(k, 'outstanding', k.money(c.outstandingMinor)),
) => [row(k, 'originalAmount', k.money(c.amountMinor)), outstanding, row(k, 'dueDate', c.dueDate)];

/** Whose receivable, in an internal mail. */
const whose = (c: Ctx, k: Kit): Row[] => [
  row(k, 'customer', c.counterpartyName),
  row(k, 'receivable', c.receivableId),
];

/** An overdue receivable: who (`who`), how much, since when; `outstanding` may name the amount otherwise. */
const overdueRows = (c: With<'daysOverdue'>, k: Kit, who: readonly Row[], outstanding?: Row): Row[] => [
  ...who,
  ...amountRows(c, k, outstanding),
  row(k, 'daysOverdue', k.overdue(c.daysOverdue)),
];

/** What a mail about an overdue receivable says, part by part; {@link overdueDocument} sets it out. */
interface OverdueText {
  subject: string;
  title: string;
  /** What is overdue, since when and how much. */
  opening: string;
  /** Whose receivable: the first rows of the facts table (amounts, due date and days overdue follow). */
  who: readonly Row[];
  /** The amount-outstanding row, where the mail names the amount otherwise. */
  outstanding?: Row;
  /** Rows after the days overdue. */
  moreFacts?: readonly Row[];
  /** What has been done about it, after the facts. */
  measures?: readonly Block[];
  /** What the recipient is asked to do, in bold. */
  request?: string;
  /** A further paragraph. */
  note?: string;
  /** A formal letter's closing formula ('特此通知。'). */
  close?: string;
  /** The label of the link to ctx.actionUrl. */
  action?: string;
  contactIntro: string;
}

/**
 * The order the overdue tasks, notices and letters follow: the opening, the facts (`overdueRows`),
 * measures, the request, a note, the closing formula, the action link. (late-reason-request shows
 * no original amount and legal-escalation proposes its measures before the facts: they are written out.)
 */
const overdueDocument = (c: With<'daysOverdue'>, k: Kit, m: OverdueText): MailText => ({
  subject: m.subject,
  title: m.title,
  blocks: [
    p(m.opening),
    facts(...overdueRows(c, k, m.who, m.outstanding), ...(m.moreFacts ?? [])),
    ...(m.measures ?? []),
    m.request !== undefined && p(m.request, true),
    m.note !== undefined && p(m.note),
    m.close !== undefined && p(m.close),
    m.action !== undefined && action(m.action, c.actionUrl),
  ],
  contactIntro: m.contactIntro,
});

/**
 * A kind of mail about an overdue receivable: it needs the due date and the days overdue (and
 * `alsoRequires`); its text is set out by {@link overdueDocument}.
 */
function overdueSpec<K extends keyof Ctx = never>(
  text: (c: With<'dueDate' | 'daysOverdue' | K>, k: Kit) => OverdueText,
  alsoRequires: readonly K[] = [],
): AnySpec {
  return spec<'dueDate' | 'daysOverdue' | K>({
    requires: ['dueDate', 'daysOverdue', ...alsoRequires],
    doc: (c, k) => overdueDocument(c, k, text(c, k)),
  });
}

/** 'AB → BA', or the grade after alone. */
const gradeChange = (c: Ctx): string | undefined =>
  c.gradeBefore && c.gradeAfter ? `${c.gradeBefore} → ${c.gradeAfter}` : c.gradeAfter || undefined;

/** The application's facts, for the approvers and the manager. */
const applicationRows = (c: With<'requestedTermDays'>, k: Kit, deadlineLabel: string): Row[] => [
  row(k, 'reference', c.receivableId),
  row(k, 'customer', c.counterpartyName),
  row(k, 'salesperson', c.salespersonName),
  row(k, 'amountRequested', k.money(c.amountMinor)),
  row(k, 'termRequested', k.days(c.requestedTermDays)),
  [
    k.t('系统预审建议', 'Automatic check'),
    c.recommendation && k.t(ZH_VERDICT, EN_VERDICT)[c.recommendation.verdict],
  ],
  [deadlineLabel, c.deadline],
];

type Verdicts = Readonly<Record<NonNullable<Ctx['recommendation']>['verdict'], string>>;
const ZH_VERDICT: Verdicts = { approve: '建议批准', review: '建议人工复核', reject: '建议拒绝' };
const EN_VERDICT: Verdicts = { approve: 'Approve', review: 'Review needed', reject: 'Reject' };

const FINDINGS = ['系统预审发现：', 'Findings of the automatic checks:'] as const;

function legalActions(a: NonNullable<Ctx['legalAction']>, k: Kit): string[] {
  const items: string[] = [];
  if (a.terminateCooperation)
    items.push(
      k.t('终止与该客户的合作（取消合作）', 'Terminate the business relationship with this customer'),
    );
  if (a.litigation)
    items.push(
      k.t('诉诸司法程序，依法追讨欠款及相关费用', 'Take legal action to recover the debt and related costs'),
    );
  if (items.length === 0)
    items.push(
      k.t(
        '按金额暂不建议终止合作或诉诸司法，请您决定后续措施',
        'Given the amount, neither termination nor legal action is proposed; please decide next steps',
      ),
    );
  return items;
}

/** How the mail opens and closes, by whom it goes to. */
const to = {
  debtor: (c: Ctx, k: Kit) => k.t(`尊敬的${c.counterpartyName}：`, `Dear ${c.counterpartyName},`),
  /** A formal letter: the company addresses the debtor by name. */
  debtorFormally: (c: Ctx, k: Kit) => k.t(`${c.counterpartyName}：`, `Dear ${c.counterpartyName},`),
  salesperson: (c: Ctx, k: Kit) => k.t(`${c.salespersonName}，您好：`, `Dear ${c.salespersonName},`),
  manager: (_: Ctx, k: Kit) => k.t('经理，您好：', 'Dear Manager,'),
  approvers: (_: Ctx, k: Kit) => k.t('财务部、市场部各位审批人：', 'Dear Finance and Marketing approvers,'),
  creditDesk: (_: Ctx, k: Kit) => k.t('信用管理部各位同事：', 'Dear credit desk,'),
  colleagues: (_: Ctx, k: Kit) =>
    k.t('销售部、财务部及信用管理部各位同事：', 'Dear colleagues in Sales, Finance and the credit desk,'),
};
const signed = {
  /** Internal mail comes from the system. */
  system: (_: Ctx, k: Kit) =>
    k.t(['creditflow 信用管理系统（自动发送）'], ['creditflow credit management (automated message)']),
  /** Debtor mail comes from the salesperson, for the company. */
  salesperson: (c: Ctx, k: Kit) => [k.t('顺颂商祺！', 'Kind regards,'), c.salespersonName, c.companyName],
  /** A notice or letter in the company's name. */
  company: (c: Ctx, k: Kit) => k.t([c.companyName], ['Yours faithfully,', c.companyName]),
};

interface Frame {
  tone: Tone;
  to: keyof typeof to;
  signedBy: keyof typeof signed;
}

/** Each kind's frame: its tone (the heading's colour), whom it greets and who signs it. */
const FRAMES: Record<ReceivableMailKind, Frame> = {
  'approval-request': { tone: 'info', to: 'approvers', signedBy: 'system' },
  'approval-escalated': { tone: 'notice', to: 'manager', signedBy: 'system' },
  'application-decision': { tone: 'info', to: 'salesperson', signedBy: 'system' },
  'credit-terms': { tone: 'info', to: 'debtor', signedBy: 'salesperson' },
  'payment-reminder': { tone: 'info', to: 'debtor', signedBy: 'salesperson' },
  'phone-task': { tone: 'info', to: 'salesperson', signedBy: 'system' },
  'visit-task': { tone: 'notice', to: 'salesperson', signedBy: 'system' },
  'collection-notice': { tone: 'notice', to: 'debtor', signedBy: 'salesperson' },
  'late-reason-request': { tone: 'notice', to: 'salesperson', signedBy: 'system' },
  'second-collection-notice': { tone: 'warning', to: 'debtorFormally', signedBy: 'company' },
  'overdue-warning-letter': { tone: 'warning', to: 'debtorFormally', signedBy: 'company' },
  'supply-stopped': { tone: 'warning', to: 'colleagues', signedBy: 'system' },
  'supply-resumed': { tone: 'info', to: 'colleagues', signedBy: 'system' },
  'credit-desk-handover': { tone: 'notice', to: 'creditDesk', signedBy: 'system' },
  'legal-escalation': { tone: 'warning', to: 'manager', signedBy: 'system' },
  'payment-received': { tone: 'info', to: 'debtor', signedBy: 'salesperson' },
};

// ---------------------------------------------------------------------------
// Kind table
// ---------------------------------------------------------------------------

const SPECS: Record<ReceivableMailKind, AnySpec> = {
  'approval-request': spec({
    requires: ['requestedTermDays', 'recommendation', 'deadline'],
    doc: (c, k) => ({
      subject: k.t(
        `赊销申请待审批：${c.counterpartyName} ${k.money(c.amountMinor)}，帐期 ${k.days(c.requestedTermDays)}，请于 ${c.deadline} 前审批`,
        `Credit approval needed: ${c.counterpartyName}, ${k.money(c.amountMinor)} on ${k.days(c.requestedTermDays)} — decide by ${c.deadline}`,
      ),
      title: k.t('客户应收帐款申请表（待审批）', 'Credit application awaiting your decision'),
      blocks: [
        p(
          k.t(
            `业务员 ${c.salespersonName} 为客户 ${c.counterpartyName} 提交了一笔赊销申请（编号 ${c.receivableId}），请财务部会同市场部审批。须两部门均批准方可赊销；任一方均可注明理由予以拒绝；批准金额与帐期由财务部确定。`,
            `${c.salespersonName} has filed a credit application (ref. ${c.receivableId}) for a sale on credit to ${c.counterpartyName}. Finance and Marketing must both approve it, and either may reject it with a reason. Finance sets the approved amount and term.`,
          ),
        ),
        facts(...applicationRows(c, k, k.t('审批截止时间', 'Decision deadline'))),
        p(k.t(...FINDINGS)),
        list(
          c.recommendation.findings.length > 0
            ? c.recommendation.findings
            : [k.t('未发现异常', 'No issues found')],
        ),
        p(
          k.t(
            `如在 ${c.deadline} 前未作出决定，该申请将自动升级，由经理直接决定。`,
            `If no decision is made by ${c.deadline}, the application will be escalated to a manager.`,
          ),
          true,
        ),
        action(k.t('前往审批', 'Review the application'), c.actionUrl),
      ],
      contactIntro: k.t(
        '如需进一步了解该客户或本笔业务，请联系：',
        'For more about this customer or the sale, please contact:',
      ),
    }),
  }),

  'approval-escalated': spec({
    requires: ['requestedTermDays', 'deadline'],
    doc: (c, k) => {
      const found =
        c.recommendation && c.recommendation.findings.length > 0 ? c.recommendation.findings : null;
      return {
        subject: k.t(
          `赊销审批超时升级：${c.counterpartyName} 申请 ${c.receivableId}（${k.money(c.amountMinor)}），请于 ${c.deadline} 前决定`,
          `Escalated: credit application ${c.receivableId} for ${c.counterpartyName} (${k.money(c.amountMinor)}) — your decision needed by ${c.deadline}`,
        ),
        title: k.t('赊销申请审批超时，请经理决定', 'Credit application escalated to you'),
        blocks: [
          p(
            k.t(
              `客户 ${c.counterpartyName} 的赊销申请（编号 ${c.receivableId}，业务员 ${c.salespersonName}）未能在规定时限内由财务部与市场部完成审批，现按公司规定提交您直接决定。`,
              `The credit application for ${c.counterpartyName} (ref. ${c.receivableId}, salesperson ${c.salespersonName}) was not decided by Finance and Marketing within the deadline. Under company policy it now comes to you for decision.`,
            ),
          ),
          facts(...applicationRows(c, k, k.t('决定截止时间', 'Decision deadline'))),
          ...(found ? [p(k.t(...FINDINGS)), list(found)] : []),
          p(
            k.t(
              `请于 ${c.deadline} 前批准（并确定批准金额与帐期）或注明理由予以拒绝。`,
              `Please approve (setting the amount and term) or reject with a reason by ${c.deadline}.`,
            ),
            true,
          ),
          action(k.t('前往决定', 'Decide now'), c.actionUrl),
        ],
        contactIntro: k.t('如需了解详情，请联系：', 'For details, please contact:'),
      };
    },
  }),

  'application-decision': spec({
    requires: ['decision'],
    more: (c) =>
      c.decision.approved
        ? [
            ...(isMissing(c.approvedTermDays) ? ['approvedTermDays'] : []),
            ...(isMissing(c.dueDate) ? ['dueDate'] : []),
          ]
        : isMissing(c.decision.reason)
          ? ['decision.reason']
          : [],
    doc: (c, k) => {
      if (c.decision.approved) {
        const term = got(c.approvedTermDays, 'approvedTermDays');
        const due = got(c.dueDate, 'dueDate');
        return {
          subject: k.t(
            `赊销申请已批准：${c.counterpartyName} ${k.money(c.amountMinor)}，帐期 ${k.days(term)}，${due} 到期`,
            `Credit application approved: ${c.counterpartyName}, ${k.money(c.amountMinor)} on ${k.days(term)}, due ${due}`,
          ),
          title: k.t('赊销申请已批准', 'Credit application approved'),
          blocks: [
            p(
              k.t(
                `您为客户 ${c.counterpartyName} 提交的赊销申请（编号 ${c.receivableId}）已获财务部与市场部批准。请及时向客户说明付款条件及现金折扣，并在到期前跟进回款。`,
                `Your credit application for ${c.counterpartyName} (ref. ${c.receivableId}) has been approved by Finance and Marketing. Please explain the payment and cash-discount terms to the customer and follow up on payment before the due date.`,
              ),
            ),
            facts(
              row(k, 'receivable', c.receivableId),
              row(k, 'customer', c.counterpartyName),
              [k.t('批准金额', 'Approved amount'), k.money(c.amountMinor)],
              [k.t('批准帐期', 'Approved term'), k.days(term)],
              row(k, 'issueDate', c.issueDate),
              row(k, 'dueDate', due),
              row(k, 'cashDiscount', c.discount && k.terms(c.discount)),
            ),
            p(
              k.t(
                '系统将在到期前 7 天向客户发送付款提醒，并提醒您电话跟进。',
                'Seven days before the due date the customer will get a payment reminder and you a call task.',
              ),
            ),
            action(k.t('查看应收帐款', 'Open the receivable'), c.actionUrl),
          ],
          contactIntro: k.t('如有疑问，请联系：', 'Questions? Please contact:'),
        };
      }
      const reason = got(c.decision.reason, 'decision.reason');
      return {
        subject: k.t(
          `赊销申请未获批准：${c.counterpartyName} ${k.money(c.amountMinor)}`,
          `Credit application rejected: ${c.counterpartyName}, ${k.money(c.amountMinor)}`,
        ),
        title: k.t('赊销申请未获批准', 'Credit application rejected'),
        tone: 'notice',
        blocks: [
          p(
            k.t(
              `很遗憾，您为客户 ${c.counterpartyName} 提交的赊销申请（编号 ${c.receivableId}）未获批准。`,
              `We are sorry: your credit application for ${c.counterpartyName} (ref. ${c.receivableId}) was not approved.`,
            ),
          ),
          facts(
            row(k, 'reference', c.receivableId),
            row(k, 'customer', c.counterpartyName),
            row(k, 'amountRequested', k.money(c.amountMinor)),
            row(
              k,
              'termRequested',
              c.requestedTermDays === undefined ? undefined : k.days(c.requestedTermDays),
            ),
            [k.t('拒绝理由', 'Reason'), reason],
          ),
          p(
            k.t(
              '如客户改以现款或预付款方式交易，可正常下单。',
              'The customer can still order on cash or prepayment terms.',
            ),
          ),
          action(k.t('查看申请', 'Open the application'), c.actionUrl),
        ],
        contactIntro: k.t(
          '如对审批结果有疑问，请联系：',
          'If you have questions about this decision, please contact:',
        ),
      };
    },
  }),

  'credit-terms': spec({
    requires: ['dueDate'],
    doc: (c, k) => {
      const d = c.discount;
      const term = d?.netDays ?? c.approvedTermDays;
      return {
        subject: k.t(
          `赊销确认：应收帐款 ${c.receivableId}，金额 ${k.money(c.amountMinor)}，${c.dueDate} 到期`,
          `Credit terms: invoice ${c.receivableId}, ${k.money(c.amountMinor)} due ${c.dueDate}`,
        ),
        title: k.t('赊销及付款条件确认', 'Your purchase on credit: payment terms'),
        blocks: [
          p(
            k.t(
              '感谢贵司一直以来的支持与信任。贵司本次赊购已办理完毕，付款条件如下：',
              'Thank you for your business. Your purchase on credit has been issued on the following terms:',
            ),
          ),
          facts(
            row(k, 'invoice', c.receivableId),
            [k.t('赊销金额', 'Amount'), k.money(c.amountMinor)],
            row(k, 'issueDate', c.issueDate),
            [k.t('付款期限', 'Payment term'), term === undefined ? undefined : k.days(term)],
            row(k, 'dueDate', c.dueDate),
            [k.t('现金折扣条件', 'Cash-discount terms'), d && k.terms(d)],
          ),
          d
            ? p(
                k.t(
                  `现金折扣：如贵司于 ${d.lastDay}（含）前付款，可享受 ${k.percent(d.rateBp)} 的现金折扣，只需支付 ${k.money(d.discountedMinor)}；否则请于 ${c.dueDate}（含）前付清全款 ${k.money(c.amountMinor)}。`,
                  `Early-payment discount: pay by ${d.lastDay} and you pay only ${k.money(d.discountedMinor)} (${k.percent(d.rateBp)} off). Otherwise the full amount of ${k.money(c.amountMinor)} is due by ${c.dueDate}.`,
                ),
                true,
              )
            : p(
                k.t(
                  `请于 ${c.dueDate}（含）前付清全款 ${k.money(c.amountMinor)}。`,
                  `Please pay the full amount of ${k.money(c.amountMinor)} by ${c.dueDate}.`,
                ),
                true,
              ),
          p(
            k.t(
              '付款时请注明应收帐款编号，以便我们及时核对入帐。',
              'Please quote the invoice number with your payment so that we can match it promptly.',
            ),
          ),
        ],
        contactIntro: k.t('如有任何疑问，请联系：', 'If you have any questions, please contact:'),
      };
    },
  }),

  'payment-reminder': spec({
    requires: ['dueDate'],
    doc: (c, k) => ({
      subject: k.t(
        `付款提醒：应收帐款 ${c.receivableId} 将于 ${c.dueDate} 到期`,
        `Payment reminder: invoice ${c.receivableId} due ${c.dueDate}`,
      ),
      title: k.t('付款提醒', 'Payment reminder'),
      blocks: [
        p(
          k.t(
            `温馨提示：贵司编号为 ${c.receivableId} 的应收帐款将于 ${c.dueDate} 到期，尚未支付金额为 ${k.money(c.outstandingMinor)}。烦请安排在到期日前付款。`,
            `This is a friendly reminder that invoice ${c.receivableId} falls due on ${c.dueDate}. The amount outstanding is ${k.money(c.outstandingMinor)}. Please arrange payment by the due date.`,
          ),
        ),
        facts(row(k, 'invoice', c.receivableId), ...amountRows(c, k)),
        p(
          k.t(
            '如贵司已安排付款，请忽略本提醒。感谢贵司的配合！',
            'If you have already arranged payment, please disregard this reminder. Thank you.',
          ),
        ),
      ],
      contactIntro: k.t('如有任何疑问，请联系：', 'If you have any questions, please contact:'),
    }),
  }),

  'phone-task': spec({
    requires: ['dueDate'],
    doc: (c, k) => ({
      subject: k.t(
        `电话跟进任务：${c.counterpartyName} 应收帐款 ${c.receivableId} 将于 ${c.dueDate} 到期（${k.money(c.outstandingMinor)}）`,
        `Call task: ${c.counterpartyName} — invoice ${c.receivableId} due ${c.dueDate} (${k.money(c.outstandingMinor)})`,
      ),
      title: k.t('电话跟进任务', 'Please call the customer'),
      blocks: [
        p(
          k.t(
            `客户 ${c.counterpartyName} 的应收帐款（编号 ${c.receivableId}）将于 ${c.dueDate} 到期，尚欠 ${k.money(c.outstandingMinor)}。系统已向客户发送付款提醒邮件，请您尽快致电客户，确认付款安排及预计付款日期。`,
            `Invoice ${c.receivableId} of ${c.counterpartyName} falls due on ${c.dueDate}, with ${k.money(c.outstandingMinor)} outstanding. The customer has been sent a payment reminder; please phone them to confirm their payment plan and expected payment date.`,
          ),
        ),
        facts(...whose(c, k), ...amountRows(c, k)),
        p(
          k.t(
            '通话后请记录客户的付款承诺；如客户提出异议或要求延期，请及时告知财务部。',
            'After the call, please record any payment promise; tell Finance at once if the customer disputes the invoice or asks for more time.',
          ),
        ),
        action(k.t('记录通话结果', 'Record the call'), c.actionUrl),
      ],
      contactIntro: k.t('如有问题，请联系：', 'Questions? Please contact:'),
    }),
  }),

  'visit-task': overdueSpec((c, k) => ({
    subject: k.t(
      `上门拜访任务：${c.counterpartyName} 应收帐款 ${c.receivableId} 已逾期 ${k.days(c.daysOverdue)}（${k.money(c.outstandingMinor)}）`,
      `Visit task: ${c.counterpartyName} — invoice ${c.receivableId} is ${k.days(c.daysOverdue)} overdue (${k.money(c.outstandingMinor)})`,
    ),
    title: k.t('上门拜访任务：应收帐款逾期', 'Visit task: overdue receivable'),
    opening: k.t(
      `客户 ${c.counterpartyName} 的应收帐款（编号 ${c.receivableId}）已于 ${c.dueDate} 到期，至今仍未足额付款，已逾期 ${k.days(c.daysOverdue)}，尚欠 ${k.money(c.outstandingMinor)}。该客户位于本地区，请尽快上门拜访，了解逾期原因并当面催收。`,
      `Invoice ${c.receivableId} of ${c.counterpartyName} fell due on ${c.dueDate} and has not been paid in full: it is ${k.days(c.daysOverdue)} overdue with ${k.money(c.outstandingMinor)} outstanding. The customer is in your home region; please visit them soon, find out why the payment is late and ask for payment in person.`,
    ),
    who: whose(c, k),
    request: k.t(
      '拜访后请在系统中如实记录逾期原因（如货物或发票争议、已约定的延期、客户承诺的付款日期等）。逾期满 15 天且无经财务部确认的正当理由的，该笔帐款将移交公司信用管理部，并对该客户停止供货。',
      'After the visit, record the reason for the delay (e.g. a dispute over goods or invoice, an agreed extension, a promised payment date). If the receivable reaches 15 days overdue without a valid reason confirmed by Finance, it passes to the credit desk and supply to the customer stops.',
    ),
    action: k.t('记录拜访结果及逾期原因', 'Record the visit and the reason'),
    contactIntro: k.t('如需协助，请联系：', 'If you need help, please contact:'),
  })),

  'collection-notice': overdueSpec((c, k) => ({
    subject: k.t(
      `催款通知单：应收帐款 ${c.receivableId} 已逾期 ${k.days(c.daysOverdue)}，未付金额 ${k.money(c.outstandingMinor)}`,
      `Payment overdue: invoice ${c.receivableId} is ${k.days(c.daysOverdue)} past due (${k.money(c.outstandingMinor)} outstanding)`,
    ),
    title: k.t('催款通知单', 'Collection notice'),
    opening: k.t(
      `贵司编号为 ${c.receivableId} 的应收帐款已于 ${c.dueDate} 到期。截至目前，我们尚未收到全额付款，现已逾期 ${k.days(c.daysOverdue)}，未付金额为 ${k.money(c.outstandingMinor)}。`,
      `Invoice ${c.receivableId} fell due on ${c.dueDate}. We have not yet received payment in full: the invoice is now ${k.days(c.daysOverdue)} overdue, with ${k.money(c.outstandingMinor)} outstanding.`,
    ),
    who: [row(k, 'invoice', c.receivableId)],
    request: k.t(
      '请贵司尽快安排付款。如在货物、发票或对帐等方面存在问题，烦请告知具体原因，以便我们及时协助处理。',
      'Please arrange payment as soon as possible. If there is a problem with the goods, the invoice or the account, please let us know so that we can help resolve it.',
    ),
    note: k.t(
      '如贵司近日已付款，请将付款凭证发送给我们，谢谢！',
      'If you have paid in the last few days, please send us the remittance advice. Thank you.',
    ),
    contactIntro: k.t('联系人：', 'Your contact:'),
  })),

  'late-reason-request': spec({
    requires: ['dueDate', 'daysOverdue'],
    doc: (c, k) => ({
      subject: k.t(
        `请记录逾期原因：${c.counterpartyName} 应收帐款 ${c.receivableId} 已逾期 ${k.days(c.daysOverdue)}`,
        `Please record why it is late: ${c.counterpartyName}, invoice ${c.receivableId}, ${k.days(c.daysOverdue)} overdue`,
      ),
      title: k.t('请查明并记录逾期原因', 'Find out and record the reason for late payment'),
      blocks: [
        p(
          k.t(
            `客户 ${c.counterpartyName} 的应收帐款（编号 ${c.receivableId}）已于 ${c.dueDate} 到期，现已逾期 ${k.days(c.daysOverdue)}，尚欠 ${k.money(c.outstandingMinor)}。请尽快与客户联系，查明逾期原因并在系统中记录。`,
            `Invoice ${c.receivableId} of ${c.counterpartyName} fell due on ${c.dueDate} and is now ${k.days(c.daysOverdue)} overdue, with ${k.money(c.outstandingMinor)} outstanding. Please contact the customer, find out why the payment is late and record the reason.`,
          ),
        ),
        facts(
          ...whose(c, k),
          row(k, 'outstanding', k.money(c.outstandingMinor)),
          row(k, 'dueDate', c.dueDate),
          row(k, 'daysOverdue', k.overdue(c.daysOverdue)),
        ),
        p(k.t('记录时请写明：', 'Please record:')),
        list(
          k.t(
            [
              '逾期原因（如货物质量或数量争议、发票问题、经批准的延期、客户资金困难等）；',
              '客户承诺的付款日期及金额（如有）；',
              '相关证明材料（如争议函件、延期协议）。',
            ],
            [
              'the reason (e.g. a dispute over quality or quantity, an invoice problem, an approved extension, cash-flow difficulties);',
              'the payment date and amount the customer promises, if any;',
              'supporting documents (e.g. dispute letters, an extension agreement).',
            ],
          ),
          true,
        ),
        p(
          k.t(
            '经财务部确认的正当理由可暂停催收升级；逾期满 15 天仍无正当理由的，该笔帐款将移交信用管理部，并对该客户停止供货、下调信用等级。',
            'A valid reason confirmed by Finance pauses escalation. Without one, at 15 days overdue the receivable passes to the credit desk, supply to the customer stops and its credit grade is lowered.',
          ),
          true,
        ),
        c.actionUrl
          ? action(k.t('记录逾期原因', 'Record the reason'), c.actionUrl)
          : p(
              k.t(
                `请在 creditflow 中打开应收帐款 ${c.receivableId} 填写逾期原因，或直接回复本邮件说明。`,
                `Open receivable ${c.receivableId} in creditflow to record the reason, or reply to this e-mail.`,
              ),
            ),
      ],
      contactIntro: k.t('如有问题，请联系：', 'Questions? Please contact:'),
    }),
  }),

  'second-collection-notice': overdueSpec((c, k) => ({
    subject: k.t(
      `第二次催款通知：应收帐款 ${c.receivableId} 已逾期 ${k.days(c.daysOverdue)}，未付金额 ${k.money(c.outstandingMinor)}`,
      `Second notice: invoice ${c.receivableId} is ${k.days(c.daysOverdue)} overdue — ${k.money(c.outstandingMinor)} outstanding`,
    ),
    title: k.t('催款通知单（第二次）', 'Second collection notice'),
    opening: k.t(
      `本公司已于贵司应收帐款到期后发出催款通知。截至本通知发出之日，贵司编号为 ${c.receivableId} 的应收帐款（到期日 ${c.dueDate}）仍有 ${k.money(c.outstandingMinor)} 未付，已逾期 ${k.days(c.daysOverdue)}。`,
      `Following our earlier collection notice, we note that invoice ${c.receivableId} (due ${c.dueDate}) still has ${k.money(c.outstandingMinor)} outstanding and is now ${k.days(c.daysOverdue)} overdue.`,
    ),
    who: [row(k, 'invoice', c.receivableId)],
    request: k.t(
      `请贵司收到本通知后立即安排付款。根据本公司信用政策，欠款逾期满 15 天（即 ${k.plusDays(c.dueDate, 15)}）仍无正当理由的，本公司将停止对贵司供货，并相应下调贵司的信用等级。`,
      `Please make payment immediately. Under our credit policy, if the debt is still unpaid without a valid reason at 15 days overdue (${k.plusDays(c.dueDate, 15)}), we will stop supplying your company and lower your credit grade.`,
    ),
    note: k.t(
      '如贵司已付款，请将付款凭证发送给下列联系人以便核对；如对欠款有异议，请书面说明理由。',
      'If you have already paid, please send the remittance advice to the contact below so that we can reconcile it; if you dispute the amount, please tell us why in writing.',
    ),
    close: k.t('特此通知。', undefined),
    contactIntro: k.t('联系人：', 'Your contact:'),
  })),

  'overdue-warning-letter': overdueSpec(
    (c, k) => ({
      subject: k.t(
        `客户欠款警告书：应收帐款 ${c.receivableId} 已逾期 ${k.days(c.daysOverdue)}，未付 ${k.money(c.outstandingMinor)}，已停止供货`,
        `Overdue account warning: invoice ${c.receivableId} is ${k.days(c.daysOverdue)} overdue (${k.money(c.outstandingMinor)}) — supply suspended`,
      ),
      title: k.t('客户欠款警告书', 'Formal warning: overdue account'),
      opening: k.t(
        `贵司编号为 ${c.receivableId} 的应收帐款已于 ${c.dueDate} 到期。本公司已先后发出催款通知，但截至本函发出之日，贵司仍有 ${k.money(c.outstandingMinor)} 未付，已逾期 ${k.days(c.daysOverdue)}，且未提供正当理由。`,
        `Invoice ${c.receivableId} fell due on ${c.dueDate}. Despite our collection notices, ${k.money(c.outstandingMinor)} remains unpaid as of the date of this letter. The debt is now ${k.days(c.daysOverdue)} overdue and no valid reason has been given.`,
      ),
      who: [row(k, 'invoice', c.receivableId)],
      outstanding: [k.t('欠款金额', 'Amount overdue'), k.money(c.outstandingMinor)],
      moreFacts: [row(k, 'grade', `${c.gradeBefore} → ${c.gradeAfter}`)],
      measures: [
        p(k.t('根据本公司信用管理制度，自即日起：', 'Under our credit policy, with immediate effect:')),
        list(
          k.t(
            [
              '暂停对贵司的一切供货，贵司新的赊销申请不予受理；',
              `贵司的信用等级由 ${c.gradeBefore} 下调为 ${c.gradeAfter}；`,
              '该笔欠款已移交本公司信用管理部负责催收。',
            ],
            [
              'all supplies to your company are suspended and no new credit applications will be accepted;',
              `your credit grade is lowered from ${c.gradeBefore} to ${c.gradeAfter};`,
              'the debt has been passed to our credit department for collection.',
            ],
          ),
          true,
        ),
      ],
      request: k.t(
        `请贵司立即付清上述欠款。如逾期满 30 天（即 ${k.plusDays(c.dueDate, 30)}）仍未付清，本公司将终止与贵司的合作，并保留通过法律途径追讨欠款及相关费用的权利。`,
        `Please pay the amount overdue immediately. If it is still unpaid at 30 days overdue (${k.plusDays(c.dueDate, 30)}), we will terminate our business relationship and reserve the right to take legal action to recover the debt and our costs.`,
      ),
      note: k.t(
        '贵司付清所有逾期 15 天以上的欠款后，本公司将恢复供货。',
        'Supply will resume once no amount of yours is 15 or more days overdue.',
      ),
      close: k.t('特此函告。', undefined),
      contactIntro: k.t('联系人：', 'Your contact:'),
    }),
    ['gradeBefore', 'gradeAfter'],
  ),

  'supply-stopped': overdueSpec((c, k) => ({
    subject: k.t(
      `停止供货：${c.counterpartyName}（应收帐款 ${c.receivableId} 逾期 ${k.days(c.daysOverdue)}，未付 ${k.money(c.outstandingMinor)}）`,
      `Supply stopped: ${c.counterpartyName} (invoice ${c.receivableId} ${k.days(c.daysOverdue)} overdue, ${k.money(c.outstandingMinor)})`,
    ),
    title: k.t(`停止供货通知：${c.counterpartyName}`, `Supply stopped: ${c.counterpartyName}`),
    opening: k.t(
      `客户 ${c.counterpartyName} 的应收帐款（编号 ${c.receivableId}，到期日 ${c.dueDate}）已逾期 ${k.days(c.daysOverdue)}，尚欠 ${k.money(c.outstandingMinor)}，且无经财务部确认的正当理由。即日起对该客户停止供货：其新的赊销申请将被自动拒绝，新订单一律暂停发货。`,
      `Invoice ${c.receivableId} of ${c.counterpartyName} (due ${c.dueDate}) is ${k.days(c.daysOverdue)} overdue with ${k.money(c.outstandingMinor)} outstanding, and no valid reason has been confirmed by Finance. Supply to this customer stops with immediate effect: new credit applications are rejected automatically and new orders must not be shipped.`,
    ),
    who: [...whose(c, k), row(k, 'salesperson', c.salespersonName)],
    moreFacts: [row(k, 'grade', gradeChange(c))],
    note: k.t(
      '待该客户名下不再有逾期 15 天及以上的应收帐款时，系统将自动恢复供货并另行通知。',
      'Supply resumes automatically once the customer has no receivable 15 or more days overdue; you will be notified.',
    ),
    action: k.t('查看应收帐款', 'Open the receivable'),
    contactIntro: k.t('如有疑问，请联系：', 'Questions? Please contact:'),
  })),

  'supply-resumed': spec({
    requires: [],
    doc: (c, k) => ({
      subject: k.t(`恢复供货：${c.counterpartyName}`, `Supply resumed: ${c.counterpartyName}`),
      title: k.t(`恢复供货通知：${c.counterpartyName}`, `Supply resumed: ${c.counterpartyName}`),
      blocks: [
        p(
          k.t(
            `客户 ${c.counterpartyName} 名下已无逾期 15 天及以上的应收帐款，即日起恢复对该客户供货，可正常受理其订单及赊销申请（仍须按信用额度审批）。`,
            `${c.counterpartyName} no longer has any receivable 15 or more days overdue. Supply resumes with immediate effect: orders and credit applications may be accepted again (subject to the usual credit-limit approval).`,
          ),
        ),
        facts(
          row(k, 'customer', c.counterpartyName),
          [k.t('相关应收帐款', 'Related receivable'), c.receivableId],
          row(k, 'salesperson', c.salespersonName),
          row(k, 'originalAmount', k.money(c.amountMinor)),
          row(k, 'payment', c.paymentMinor === undefined ? undefined : k.money(c.paymentMinor)),
          row(k, 'outstanding', k.money(c.outstandingMinor)),
          row(k, 'dueDate', c.dueDate),
          row(k, 'daysOverdue', c.daysOverdue ? k.overdue(c.daysOverdue) : undefined),
          row(k, 'currentGrade', c.gradeAfter),
        ),
        action(k.t('查看客户', 'Open the customer'), c.actionUrl),
      ],
      contactIntro: k.t('如有疑问，请联系：', 'Questions? Please contact:'),
    }),
  }),

  'credit-desk-handover': overdueSpec((c, k) => ({
    subject: k.t(
      `应收帐款移交信用管理部：${c.counterpartyName} ${c.receivableId}，逾期 ${k.days(c.daysOverdue)}，未付 ${k.money(c.outstandingMinor)}`,
      `Handed over to the credit desk: ${c.counterpartyName}, ${c.receivableId}, ${k.days(c.daysOverdue)} overdue, ${k.money(c.outstandingMinor)} outstanding`,
    ),
    title: k.t('应收帐款移交通知', 'Receivable handed over to you'),
    opening: k.t(
      `客户 ${c.counterpartyName} 的应收帐款（编号 ${c.receivableId}）已逾期 ${k.days(c.daysOverdue)}，且无经财务部确认的正当理由。按公司规定，自即日起该笔帐款由业务员 ${c.salespersonName} 移交信用管理部负责催收。`,
      `Receivable ${c.receivableId} of ${c.counterpartyName} is ${k.days(c.daysOverdue)} overdue with no valid reason confirmed by Finance. Under company policy it passes from ${c.salespersonName} to the credit desk for collection, with immediate effect.`,
    ),
    who: [...whose(c, k), [k.t('原业务员', 'Previous owner'), c.salespersonName]],
    moreFacts: [row(k, 'grade', gradeChange(c))],
    note: k.t(
      `系统已同时向客户发出《客户欠款警告书》，对该客户停止供货并下调其信用等级。逾期满 30 天（${k.plusDays(c.dueDate, 30)}）仍未付清的，将提请经理决定终止合作和/或诉诸司法。`,
      `The customer has been sent a formal overdue warning letter, supply has been stopped and the credit grade lowered. If it is still unpaid at 30 days overdue (${k.plusDays(c.dueDate, 30)}), a manager will be asked to decide on termination and/or legal action.`,
    ),
    action: k.t('接手处理', 'Take over the receivable'),
    contactIntro: k.t('原业务联系人：', 'Previous contact for this account:'),
  })),

  'legal-escalation': spec({
    requires: ['dueDate', 'daysOverdue', 'legalAction', 'deadline'],
    doc: (c, k) => ({
      subject: k.t(
        `法律升级待确认：${c.counterpartyName} 应收帐款 ${c.receivableId} 逾期 ${k.days(c.daysOverdue)}（${k.money(c.outstandingMinor)}），请于 ${c.deadline} 前确认`,
        `Legal escalation: ${c.counterpartyName}, invoice ${c.receivableId} ${k.days(c.daysOverdue)} overdue (${k.money(c.outstandingMinor)}) — confirm by ${c.deadline}`,
      ),
      title: k.t(
        '逾期帐款处理措施待确认（取消合作 / 诉诸司法）',
        'Overdue account: proposed termination / legal action',
      ),
      blocks: [
        p(
          k.t(
            `客户 ${c.counterpartyName} 的应收帐款（编号 ${c.receivableId}，到期日 ${c.dueDate}）已逾期 ${k.days(c.daysOverdue)}，仍有 ${k.money(c.outstandingMinor)} 未付。根据欠款金额，系统建议采取以下措施：`,
            `Receivable ${c.receivableId} of ${c.counterpartyName} (due ${c.dueDate}) is ${k.days(c.daysOverdue)} overdue with ${k.money(c.outstandingMinor)} still unpaid. Based on the amount, the proposed action is:`,
          ),
        ),
        list(legalActions(c.legalAction, k)),
        facts(
          ...overdueRows(c, k, [...whose(c, k), [k.t('原业务员', 'Salesperson'), c.salespersonName]]),
          row(k, 'currentGrade', c.gradeAfter),
          [k.t('确认截止时间', 'Confirm by'), c.deadline],
        ),
        p(
          k.t(
            `请于 ${c.deadline} 前确认或调整上述措施。`,
            `Please confirm or amend the proposed action by ${c.deadline}.`,
          ),
          true,
        ),
        action(k.t('确认处理措施', 'Confirm the action'), c.actionUrl),
      ],
      contactIntro: k.t('如需了解催收经过，请联系：', 'For the collection history, please contact:'),
    }),
  }),

  'payment-received': spec({
    requires: ['paymentMinor'],
    doc: (c, k) => {
      const settled = c.outstandingMinor <= 0;
      const d = settled ? c.discount : undefined;
      const paid = k.money(c.paymentMinor);
      const left = k.money(c.outstandingMinor);
      const waived = d && k.money(c.amountMinor - d.discountedMinor);
      return {
        subject: settled
          ? k.t(
              `收款确认：已收到 ${paid}，应收帐款 ${c.receivableId} 已结清`,
              `Payment received: ${paid} — invoice ${c.receivableId} is settled`,
            )
          : k.t(
              `收款确认：已收到 ${paid}，应收帐款 ${c.receivableId} 尚欠 ${left}`,
              `Payment received: ${paid} — invoice ${c.receivableId}, ${left} still outstanding`,
            ),
        title: k.t('收款确认', 'Payment received'),
        blocks: [
          settled
            ? p(
                k.t(
                  `我们已收到贵司支付的 ${paid}，编号为 ${c.receivableId} 的应收帐款已全部结清。感谢贵司的及时付款！`,
                  `We have received your payment of ${paid}. Invoice ${c.receivableId} is now settled in full. Thank you for paying promptly.`,
                ),
              )
            : p(
                k.t(
                  `我们已收到贵司支付的 ${paid}，谢谢！编号为 ${c.receivableId} 的应收帐款尚有 ${left} 未付。`,
                  `We have received your payment of ${paid}, thank you. Invoice ${c.receivableId} still has ${left} outstanding.`,
                ),
              ),
          d &&
            p(
              k.t(
                `贵司在现金折扣期内（${d.lastDay} 前）付款，享受 ${k.percent(d.rateBp)} 的现金折扣，减免 ${waived}。`,
                `As you paid within the discount period (by ${d.lastDay}), a ${k.percent(d.rateBp)} cash discount of ${waived} has been applied.`,
              ),
            ),
          facts(
            row(k, 'invoice', c.receivableId),
            row(k, 'originalAmount', k.money(c.amountMinor)),
            row(k, 'payment', paid),
            row(k, 'cashDiscount', d && k.t(`${k.terms(d)}，减免 ${waived}`, `${k.terms(d)}: ${waived}`)),
            row(k, 'outstanding', settled ? k.t(`${k.money(0)}（已结清）`, `${k.money(0)} (settled)`) : left),
            row(k, 'dueDate', c.dueDate),
            row(k, 'daysOverdue', !settled && c.daysOverdue ? k.overdue(c.daysOverdue) : undefined),
          ),
          !settled &&
            (c.daysOverdue
              ? p(
                  k.t(
                    `该笔款项已逾期 ${k.days(c.daysOverdue)}，请尽快付清余款 ${left}。`,
                    `The balance is ${k.days(c.daysOverdue)} overdue; please pay the remaining ${left} as soon as possible.`,
                  ),
                  true,
                )
              : c.dueDate
                ? p(
                    k.t(
                      `请于 ${c.dueDate}（含）前付清余款 ${left}。`,
                      `Please pay the remaining ${left} by ${c.dueDate}.`,
                    ),
                    true,
                  )
                : p(
                    k.t(`请尽快安排支付余款 ${left}。`, `Please arrange payment of the remaining ${left}.`),
                    true,
                  )),
        ],
        contactIntro: k.t(
          '如对帐目有任何疑问，请联系：',
          'If you have any questions about your account, please contact:',
        ),
      };
    },
  }),
};

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

function validate(kind: ReceivableMailKind, s: AnySpec, ctx: Ctx): void {
  const fail = (path: string, what = 'needs'): never => {
    throw new Error(`${kind} ${what} ctx.${path}`);
  };
  const baseStrings: [string, unknown][] = [
    ['companyName', ctx.companyName],
    ['receivableId', ctx.receivableId],
    ['counterpartyName', ctx.counterpartyName],
    ['salespersonName', ctx.salespersonName],
    ['currency', ctx.currency],
    ['contact', ctx.contact],
    ['contact.name', ctx.contact?.name],
    ['contact.email', ctx.contact?.email],
  ];
  for (const [path, v] of baseStrings) if (isMissing(v)) fail(path);
  for (const f of s.requires) if (isMissing(ctx[f])) fail(f);
  for (const path of s.more?.(ctx) ?? []) fail(path);

  if (!Number.isSafeInteger(ctx.amountMinor)) fail('amountMinor', 'needs an integer in');
  if (!Number.isSafeInteger(ctx.outstandingMinor)) fail('outstandingMinor', 'needs an integer in');
  const optionalInts: [string, unknown][] = [
    ['paymentMinor', ctx.paymentMinor],
    ['daysOverdue', ctx.daysOverdue],
    ['requestedTermDays', ctx.requestedTermDays],
    ['approvedTermDays', ctx.approvedTermDays],
    ['discount.discountedMinor', ctx.discount?.discountedMinor],
    ['discount.rateBp', ctx.discount?.rateBp],
  ];
  for (const [path, v] of optionalInts) {
    if (v !== undefined && !Number.isSafeInteger(v)) fail(path, 'needs an integer in');
  }
  const dates: [string, string | undefined][] = [
    ['issueDate', ctx.issueDate],
    ['dueDate', ctx.dueDate],
    ['discount.lastDay', ctx.discount?.lastDay],
  ];
  for (const [path, v] of dates)
    if (v !== undefined && !DATE_RE.test(v)) fail(path, 'needs a YYYY-MM-DD date in');
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

interface Chrome {
  colon: string;
  contactText(c: Ctx['contact']): string;
  contactHtml(c: Ctx['contact']): string;
  reference: string;
}

const CHROME: Record<MailLanguage, Chrome> = {
  'zh-CN': {
    colon: '：',
    contactText: (c) => `${c.name}（${c.phone ? `电话：${c.phone}；` : ''}邮箱：${c.email}）`,
    contactHtml: (c) =>
      `<strong>${esc(c.name)}</strong>（${c.phone ? `电话：${esc(c.phone)}；` : ''}邮箱：${mailto(c.email)}）`,
    reference: '编号',
  },
  en: {
    colon: ': ',
    contactText: (c) => `${c.name} (${c.phone ? `phone ${c.phone}, ` : ''}e-mail ${c.email})`,
    contactHtml: (c) =>
      `<strong>${esc(c.name)}</strong> (${c.phone ? `phone ${esc(c.phone)}, ` : ''}e-mail ${mailto(c.email)})`,
    reference: 'Ref.',
  },
};

const esc = escapeHtml;

const isWebUrl = (url: string): boolean => /^https?:\/\/[^\s]+$/i.test(url);

function mailto(email: string): string {
  const simple = /^[^\s@<>"'?&]+@[^\s@<>"'?&]+$/.test(email);
  return simple ? `<a href="mailto:${esc(email)}" style="color:#0969da;">${esc(email)}</a>` : esc(email);
}

const TONE_COLOR: Record<Tone, string> = { info: '#0969da', notice: '#9a6700', warning: '#cf222e' };

const S = {
  body: 'margin:0;padding:0;background-color:#f4f5f7;',
  card:
    'max-width:640px;margin:0 auto;padding:24px 28px;background-color:#ffffff;' +
    "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI','PingFang SC','Microsoft YaHei',Arial,sans-serif;" +
    'font-size:14px;line-height:1.7;color:#1f2328;',
  p: 'margin:0 0 12px 0;',
  table: 'border-collapse:collapse;width:100%;margin:4px 0 16px 0;',
  th: 'text-align:left;vertical-align:top;padding:6px 10px;border:1px solid #d0d7de;background-color:#f6f8fa;font-weight:600;width:36%;',
  td: 'text-align:left;vertical-align:top;padding:6px 10px;border:1px solid #d0d7de;',
  list: 'margin:0 0 12px 0;padding-left:24px;',
  button:
    'display:inline-block;padding:8px 18px;background-color:#0969da;color:#ffffff;text-decoration:none;border-radius:4px;font-weight:600;',
  muted: 'margin:20px 0 0 0;font-size:12px;color:#656d76;',
} as const;

function renderText(doc: MailDoc, ch: Chrome, ctx: Ctx): string {
  const out: string[] = [doc.title, '', doc.greeting, ''];
  for (const b of doc.blocks) {
    if (!b) continue;
    switch (b.type) {
      case 'p':
        out.push(b.text, '');
        break;
      case 'facts':
        for (const [label, value] of b.rows)
          if (value !== undefined && value !== '') out.push(`  ${label}${ch.colon}${value}`);
        out.push('');
        break;
      case 'list':
        b.items.forEach((item, i) => {
          out.push(`  ${b.ordered ? `${i + 1}.` : '-'} ${item}`);
        });
        out.push('');
        break;
      case 'action':
        out.push(`${b.label}${ch.colon}${b.url}`, '');
        break;
    }
  }
  out.push(
    doc.contactIntro,
    ch.contactText(ctx.contact),
    '',
    ...doc.signOff,
    '',
    `${ch.reference} ${ctx.receivableId}`,
  );
  return `${out.join('\n')}\n`;
}

function renderHtml(doc: MailDoc, ch: Chrome, ctx: Ctx, language: MailLanguage, subject: string): string {
  const accent = TONE_COLOR[doc.tone];
  const parts: string[] = [
    `<h1 style="margin:0 0 16px 0;padding-bottom:8px;border-bottom:2px solid ${accent};font-size:20px;line-height:1.4;color:${accent};">${esc(doc.title)}</h1>`,
    `<p style="${S.p}">${esc(doc.greeting)}</p>`,
  ];
  for (const b of doc.blocks) {
    if (!b) continue;
    switch (b.type) {
      case 'p':
        parts.push(`<p style="${S.p}">${b.strong ? `<strong>${esc(b.text)}</strong>` : esc(b.text)}</p>`);
        break;
      case 'facts': {
        const rows = b.rows
          .filter((r): r is readonly [string, string] => r[1] !== undefined && r[1] !== '')
          .map(
            ([label, value]) =>
              `<tr><th style="${S.th}">${esc(label)}</th><td style="${S.td}">${esc(value)}</td></tr>`,
          );
        parts.push(`<table role="presentation" style="${S.table}">${rows.join('')}</table>`);
        break;
      }
      case 'list': {
        const tag = b.ordered ? 'ol' : 'ul';
        parts.push(`<${tag} style="${S.list}">${b.items.map((i) => `<li>${esc(i)}</li>`).join('')}</${tag}>`);
        break;
      }
      case 'action':
        parts.push(
          isWebUrl(b.url)
            ? `<p style="margin:16px 0;"><a href="${esc(b.url)}" style="${S.button}">${esc(b.label)}</a></p>`
            : `<p style="${S.p}">${esc(b.label)}${esc(ch.colon)}${esc(b.url)}</p>`,
        );
        break;
    }
  }
  parts.push(`<p style="${S.p}">${esc(doc.contactIntro)}<br>${ch.contactHtml(ctx.contact)}</p>`);
  parts.push(`<p style="${S.p}">${doc.signOff.map(esc).join('<br>')}</p>`);
  parts.push(`<p style="${S.muted}">${esc(ch.reference)} ${esc(ctx.receivableId)}</p>`);
  return [
    '<!DOCTYPE html>',
    `<html lang="${language}">`,
    `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(subject)}</title></head>`,
    `<body style="${S.body}">`,
    `<div style="${S.card}">`,
    ...parts,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * Renders one mail of the receivable workflow. Throws an Error naming the
 * missing field (e.g. 'payment-reminder needs ctx.dueDate') when the kind
 * needs a context field that is absent.
 */
export function renderReceivableMail(
  kind: ReceivableMailKind,
  language: MailLanguage,
  ctx: ReceivableMailContext,
): RenderedMail {
  const s = SPECS[kind];
  if (s === undefined) throw new Error(`unknown mail kind: ${String(kind)}`);
  if (!MAIL_LANGUAGES.includes(language)) throw new Error(`unsupported mail language: ${String(language)}`);
  validate(kind, s, ctx);
  const kit = makeKit(ctx, language);
  const text = s.doc(ctx, kit);
  const frame = FRAMES[kind];
  const doc: MailDoc = {
    ...text,
    tone: text.tone ?? frame.tone,
    greeting: to[frame.to](ctx, kit),
    signOff: signed[frame.signedBy](ctx, kit),
  };
  // One line, no header injection.
  const subject = `[${ctx.companyName}] ${doc.subject}`.replace(/[\r\n\t]+/g, ' ').trim();
  const ch = CHROME[language];
  return { subject, text: renderText(doc, ch, ctx), html: renderHtml(doc, ch, ctx, language, subject) };
}
