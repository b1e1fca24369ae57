/**
 * E-mail templates for the receivable workflow (domain.md §1, 应收帐款收帐程序).
 *
 * Pure functions: no I/O, no clock, no dependencies. Every kind of mail has one
 * entry in {@link SPECS}: the context fields it needs and one small function per
 * language that describes the mail as a {@link MailDoc} (title, greeting, blocks
 * of paragraphs / facts / lists / an action link, contact, sign-off). A single
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

/** 'Kit' = what a template needs to format values in its language. */
interface Kit {
  money(minor: number): string;
  days(n: number): string;
  percent(bp: number): string;
  /** '1/10, n/30'. */
  terms(d: Discount): string;
  plusDays(date: string, n: number): string;
}

function makeKit(ctx: ReceivableMailContext, language: MailLanguage): Kit {
  return {
    money: (minor) => formatMoney(minor, ctx.currency, language),
    days: (n) => (language === 'zh-CN' ? `${n} 天` : `${n} day${n === 1 ? '' : 's'}`),
    percent: formatPercent,
    terms: (d) =>
      `${formatPercent(d.rateBp).replace('%', '')}/${d.days}${language === 'zh-CN' ? '，' : ', '}n/${d.netDays}`,
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
type Template<K extends keyof Ctx> = (c: With<K>, k: Kit) => MailDoc;

interface Spec<K extends keyof Ctx> {
  /** Optional context fields this kind cannot do without. */
  requires: readonly K[];
  /** Further, conditional requirements; returns the missing field paths. */
  more?: (c: With<K>) => string[];
  templates: Record<MailLanguage, Template<K>>;
}

interface AnySpec {
  requires: readonly (keyof Ctx)[];
  more?: (c: Ctx) => string[];
  templates: Record<MailLanguage, (c: Ctx, k: Kit) => MailDoc>;
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

const ZH_INTERNAL_SIGN = ['creditflow 信用管理系统（自动发送）'];
const EN_INTERNAL_SIGN = ['creditflow credit management (automated message)'];

const zhVerdict = { approve: '建议批准', review: '建议人工复核', reject: '建议拒绝' } as const;
const enVerdict = { approve: 'Approve', review: 'Review needed', reject: 'Reject' } as const;

function zhLegal(a: NonNullable<Ctx['legalAction']>): string[] {
  const items: string[] = [];
  if (a.terminateCooperation) items.push('终止与该客户的合作（取消合作）');
  if (a.litigation) items.push('诉诸司法程序，依法追讨欠款及相关费用');
  if (items.length === 0) items.push('按金额暂不建议终止合作或诉诸司法，请您决定后续措施');
  return items;
}

function enLegal(a: NonNullable<Ctx['legalAction']>): string[] {
  const items: string[] = [];
  if (a.terminateCooperation) items.push('Terminate the business relationship with this customer');
  if (a.litigation) items.push('Take legal action to recover the debt and related costs');
  if (items.length === 0) {
    items.push(
      'Given the amount, neither termination nor legal action is proposed; please decide next steps',
    );
  }
  return items;
}

const SPECS: Record<ReceivableMailKind, AnySpec> = {
  'approval-request': spec({
    requires: ['requestedTermDays', 'recommendation', 'deadline'],
    templates: {
      'zh-CN': (c, k) => ({
        subject: `赊销申请待审批：${c.counterpartyName} ${k.money(c.amountMinor)}，帐期 ${k.days(c.requestedTermDays)}，请于 ${c.deadline} 前审批`,
        title: '客户应收帐款申请表（待审批）',
        tone: 'info',
        greeting: '财务部、市场部各位审批人：',
        blocks: [
          p(
            `业务员 ${c.salespersonName} 为客户 ${c.counterpartyName} 提交了一笔赊销申请（编号 ${c.receivableId}），请财务部会同市场部审批。须两部门均批准方可赊销；任一方均可注明理由予以拒绝；批准金额与帐期由财务部确定。`,
          ),
          facts(
            ['申请编号', c.receivableId],
            ['客户', c.counterpartyName],
            ['业务员', c.salespersonName],
            ['申请金额', k.money(c.amountMinor)],
            ['申请帐期', k.days(c.requestedTermDays)],
            ['系统预审建议', zhVerdict[c.recommendation.verdict]],
            ['审批截止时间', c.deadline],
          ),
          p('系统预审发现：'),
          list(c.recommendation.findings.length > 0 ? c.recommendation.findings : ['未发现异常']),
          p(`如在 ${c.deadline} 前未作出决定，该申请将自动升级，由经理直接决定。`, true),
          action('前往审批', c.actionUrl),
        ],
        contactIntro: '如需进一步了解该客户或本笔业务，请联系：',
        signOff: ZH_INTERNAL_SIGN,
      }),
      en: (c, k) => ({
        subject: `Credit approval needed: ${c.counterpartyName}, ${k.money(c.amountMinor)} on ${k.days(c.requestedTermDays)} — decide by ${c.deadline}`,
        title: 'Credit application awaiting your decision',
        tone: 'info',
        greeting: 'Dear Finance and Marketing approvers,',
        blocks: [
          p(
            `${c.salespersonName} has filed a credit application (ref. ${c.receivableId}) for a sale on credit to ${c.counterpartyName}. Finance and Marketing must both approve it, and either may reject it with a reason. Finance sets the approved amount and term.`,
          ),
          facts(
            ['Reference', c.receivableId],
            ['Customer', c.counterpartyName],
            ['Salesperson', c.salespersonName],
            ['Amount requested', k.money(c.amountMinor)],
            ['Term requested', k.days(c.requestedTermDays)],
            ['Automatic check', enVerdict[c.recommendation.verdict]],
            ['Decision deadline', c.deadline],
          ),
          p('Findings of the automatic checks:'),
          list(c.recommendation.findings.length > 0 ? c.recommendation.findings : ['No issues found']),
          p(`If no decision is made by ${c.deadline}, the application will be escalated to a manager.`, true),
          action('Review the application', c.actionUrl),
        ],
        contactIntro: 'For more about this customer or the sale, please contact:',
        signOff: EN_INTERNAL_SIGN,
      }),
    },
  }),

  'approval-escalated': spec({
    requires: ['requestedTermDays', 'deadline'],
    templates: {
      'zh-CN': (c, k) => ({
        subject: `赊销审批超时升级：${c.counterpartyName} 申请 ${c.receivableId}（${k.money(c.amountMinor)}），请于 ${c.deadline} 前决定`,
        title: '赊销申请审批超时，请经理决定',
        tone: 'notice',
        greeting: '经理，您好：',
        blocks: [
          p(
            `客户 ${c.counterpartyName} 的赊销申请（编号 ${c.receivableId}，业务员 ${c.salespersonName}）未能在规定时限内由财务部与市场部完成审批，现按公司规定提交您直接决定。`,
          ),
          facts(
            ['申请编号', c.receivableId],
            ['客户', c.counterpartyName],
            ['业务员', c.salespersonName],
            ['申请金额', k.money(c.amountMinor)],
            ['申请帐期', k.days(c.requestedTermDays)],
            ['系统预审建议', c.recommendation && zhVerdict[c.recommendation.verdict]],
            ['决定截止时间', c.deadline],
          ),
          c.recommendation && c.recommendation.findings.length > 0 && p('系统预审发现：'),
          c.recommendation && c.recommendation.findings.length > 0 && list(c.recommendation.findings),
          p(`请于 ${c.deadline} 前批准（并确定批准金额与帐期）或注明理由予以拒绝。`, true),
          action('前往决定', c.actionUrl),
        ],
        contactIntro: '如需了解详情，请联系：',
        signOff: ZH_INTERNAL_SIGN,
      }),
      en: (c, k) => ({
        subject: `Escalated: credit application ${c.receivableId} for ${c.counterpartyName} (${k.money(c.amountMinor)}) — your decision needed by ${c.deadline}`,
        title: 'Credit application escalated to you',
        tone: 'notice',
        greeting: 'Dear Manager,',
        blocks: [
          p(
            `The credit application for ${c.counterpartyName} (ref. ${c.receivableId}, salesperson ${c.salespersonName}) was not decided by Finance and Marketing within the deadline. Under company policy it now comes to you for decision.`,
          ),
          facts(
            ['Reference', c.receivableId],
            ['Customer', c.counterpartyName],
            ['Salesperson', c.salespersonName],
            ['Amount requested', k.money(c.amountMinor)],
            ['Term requested', k.days(c.requestedTermDays)],
            ['Automatic check', c.recommendation && enVerdict[c.recommendation.verdict]],
            ['Decision deadline', c.deadline],
          ),
          c.recommendation && c.recommendation.findings.length > 0 && p('Findings of the automatic checks:'),
          c.recommendation && c.recommendation.findings.length > 0 && list(c.recommendation.findings),
          p(`Please approve (setting the amount and term) or reject with a reason by ${c.deadline}.`, true),
          action('Decide now', c.actionUrl),
        ],
        contactIntro: 'For details, please contact:',
        signOff: EN_INTERNAL_SIGN,
      }),
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
    templates: {
      'zh-CN': (c, k) => {
        if (c.decision.approved) {
          const term = got(c.approvedTermDays, 'approvedTermDays');
          const due = got(c.dueDate, 'dueDate');
          return {
            subject: `赊销申请已批准：${c.counterpartyName} ${k.money(c.amountMinor)}，帐期 ${k.days(term)}，${due} 到期`,
            title: '赊销申请已批准',
            tone: 'info',
            greeting: `${c.salespersonName}，您好：`,
            blocks: [
              p(
                `您为客户 ${c.counterpartyName} 提交的赊销申请（编号 ${c.receivableId}）已获财务部与市场部批准。请及时向客户说明付款条件及现金折扣，并在到期前跟进回款。`,
              ),
              facts(
                ['应收帐款编号', c.receivableId],
                ['客户', c.counterpartyName],
                ['批准金额', k.money(c.amountMinor)],
                ['批准帐期', k.days(term)],
                ['开票日期', c.issueDate],
                ['到期日', due],
                ['现金折扣', c.discount && k.terms(c.discount)],
              ),
              p('系统将在到期前 7 天向客户发送付款提醒，并提醒您电话跟进。'),
              action('查看应收帐款', c.actionUrl),
            ],
            contactIntro: '如有疑问，请联系：',
            signOff: ZH_INTERNAL_SIGN,
          };
        }
        const reason = got(c.decision.reason, 'decision.reason');
        return {
          subject: `赊销申请未获批准：${c.counterpartyName} ${k.money(c.amountMinor)}`,
          title: '赊销申请未获批准',
          tone: 'notice',
          greeting: `${c.salespersonName}，您好：`,
          blocks: [
            p(`很遗憾，您为客户 ${c.counterpartyName} 提交的赊销申请（编号 ${c.receivableId}）未获批准。`),
            facts(
              ['申请编号', c.receivableId],
              ['客户', c.counterpartyName],
              ['申请金额', k.money(c.amountMinor)],
              ['申请帐期', c.requestedTermDays === undefined ? undefined : k.days(c.requestedTermDays)],
              ['拒绝理由', reason],
            ),
            p('如客户改以现款或预付款方式交易，可正常下单。'),
            action('查看申请', c.actionUrl),
          ],
          contactIntro: '如对审批结果有疑问，请联系：',
          signOff: ZH_INTERNAL_SIGN,
        };
      },
      en: (c, k) => {
        if (c.decision.approved) {
          const term = got(c.approvedTermDays, 'approvedTermDays');
          const due = got(c.dueDate, 'dueDate');
          return {
            subject: `Credit application approved: ${c.counterpartyName}, ${k.money(c.amountMinor)} on ${k.days(term)}, due ${due}`,
            title: 'Credit application approved',
            tone: 'info',
            greeting: `Dear ${c.salespersonName},`,
            blocks: [
              p(
                `Your credit application for ${c.counterpartyName} (ref. ${c.receivableId}) has been approved by Finance and Marketing. Please explain the payment and cash-discount terms to the customer and follow up on payment before the due date.`,
              ),
              facts(
                ['Receivable', c.receivableId],
                ['Customer', c.counterpartyName],
                ['Approved amount', k.money(c.amountMinor)],
                ['Approved term', k.days(term)],
                ['Issue date', c.issueDate],
                ['Due date', due],
                ['Cash discount', c.discount && k.terms(c.discount)],
              ),
              p(
                'Seven days before the due date the customer will get a payment reminder and you a call task.',
              ),
              action('Open the receivable', c.actionUrl),
            ],
            contactIntro: 'Questions? Please contact:',
            signOff: EN_INTERNAL_SIGN,
          };
        }
        const reason = got(c.decision.reason, 'decision.reason');
        return {
          subject: `Credit application rejected: ${c.counterpartyName}, ${k.money(c.amountMinor)}`,
          title: 'Credit application rejected',
          tone: 'notice',
          greeting: `Dear ${c.salespersonName},`,
          blocks: [
            p(
              `We are sorry: your credit application for ${c.counterpartyName} (ref. ${c.receivableId}) was not approved.`,
            ),
            facts(
              ['Reference', c.receivableId],
              ['Customer', c.counterpartyName],
              ['Amount requested', k.money(c.amountMinor)],
              ['Term requested', c.requestedTermDays === undefined ? undefined : k.days(c.requestedTermDays)],
              ['Reason', reason],
            ),
            p('The customer can still order on cash or prepayment terms.'),
            action('Open the application', c.actionUrl),
          ],
          contactIntro: 'If you have questions about this decision, please contact:',
          signOff: EN_INTERNAL_SIGN,
        };
      },
    },
  }),

  'credit-terms': spec({
    requires: ['dueDate'],
    templates: {
      'zh-CN': (c, k) => {
        const d = c.discount;
        const term = d?.netDays ?? c.approvedTermDays;
        return {
          subject: `赊销确认：应收帐款 ${c.receivableId}，金额 ${k.money(c.amountMinor)}，${c.dueDate} 到期`,
          title: '赊销及付款条件确认',
          tone: 'info',
          greeting: `尊敬的${c.counterpartyName}：`,
          blocks: [
            p('感谢贵司一直以来的支持与信任。贵司本次赊购已办理完毕，付款条件如下：'),
            facts(
              ['应收帐款编号', c.receivableId],
              ['赊销金额', k.money(c.amountMinor)],
              ['开票日期', c.issueDate],
              ['付款期限', term === undefined ? undefined : k.days(term)],
              ['到期日', c.dueDate],
              ['现金折扣条件', d && k.terms(d)],
            ),
            d
              ? p(
                  `现金折扣：如贵司于 ${d.lastDay}（含）前付款，可享受 ${k.percent(d.rateBp)} 的现金折扣，只需支付 ${k.money(d.discountedMinor)}；否则请于 ${c.dueDate}（含）前付清全款 ${k.money(c.amountMinor)}。`,
                  true,
                )
              : p(`请于 ${c.dueDate}（含）前付清全款 ${k.money(c.amountMinor)}。`, true),
            p('付款时请注明应收帐款编号，以便我们及时核对入帐。'),
          ],
          contactIntro: '如有任何疑问，请联系：',
          signOff: ['顺颂商祺！', c.salespersonName, c.companyName],
        };
      },
      en: (c, k) => {
        const d = c.discount;
        const term = d?.netDays ?? c.approvedTermDays;
        return {
          subject: `Credit terms: invoice ${c.receivableId}, ${k.money(c.amountMinor)} due ${c.dueDate}`,
          title: 'Your purchase on credit: payment terms',
          tone: 'info',
          greeting: `Dear ${c.counterpartyName},`,
          blocks: [
            p('Thank you for your business. Your purchase on credit has been issued on the following terms:'),
            facts(
              ['Invoice', c.receivableId],
              ['Amount', k.money(c.amountMinor)],
              ['Issue date', c.issueDate],
              ['Payment term', term === undefined ? undefined : k.days(term)],
              ['Due date', c.dueDate],
              ['Cash-discount terms', d && k.terms(d)],
            ),
            d
              ? p(
                  `Early-payment discount: pay by ${d.lastDay} and you pay only ${k.money(d.discountedMinor)} (${k.percent(d.rateBp)} off). Otherwise the full amount of ${k.money(c.amountMinor)} is due by ${c.dueDate}.`,
                  true,
                )
              : p(`Please pay the full amount of ${k.money(c.amountMinor)} by ${c.dueDate}.`, true),
            p('Please quote the invoice number with your payment so that we can match it promptly.'),
          ],
          contactIntro: 'If you have any questions, please contact:',
          signOff: ['Kind regards,', c.salespersonName, c.companyName],
        };
      },
    },
  }),

  'payment-reminder': spec({
    requires: ['dueDate'],
    templates: {
      'zh-CN': (c, k) => ({
        subject: `付款提醒：应收帐款 ${c.receivableId} 将于 ${c.dueDate} 到期`,
        title: '付款提醒',
        tone: 'info',
        greeting: `尊敬的${c.counterpartyName}：`,
        blocks: [
          p(
            `温馨提示：贵司编号为 ${c.receivableId} 的应收帐款将于 ${c.dueDate} 到期，尚未支付金额为 ${k.money(c.outstandingMinor)}。烦请安排在到期日前付款。`,
          ),
          facts(
            ['应收帐款编号', c.receivableId],
            ['原金额', k.money(c.amountMinor)],
            ['未付金额', k.money(c.outstandingMinor)],
            ['到期日', c.dueDate],
          ),
          p('如贵司已安排付款，请忽略本提醒。感谢贵司的配合！'),
        ],
        contactIntro: '如有任何疑问，请联系：',
        signOff: ['顺颂商祺！', c.salespersonName, c.companyName],
      }),
      en: (c, k) => ({
        subject: `Payment reminder: invoice ${c.receivableId} due ${c.dueDate}`,
        title: 'Payment reminder',
        tone: 'info',
        greeting: `Dear ${c.counterpartyName},`,
        blocks: [
          p(
            `This is a friendly reminder that invoice ${c.receivableId} falls due on ${c.dueDate}. The amount outstanding is ${k.money(c.outstandingMinor)}. Please arrange payment by the due date.`,
          ),
          facts(
            ['Invoice', c.receivableId],
            ['Original amount', k.money(c.amountMinor)],
            ['Amount outstanding', k.money(c.outstandingMinor)],
            ['Due date', c.dueDate],
          ),
          p('If you have already arranged payment, please disregard this reminder. Thank you.'),
        ],
        contactIntro: 'If you have any questions, please contact:',
        signOff: ['Kind regards,', c.salespersonName, c.companyName],
      }),
    },
  }),

  'phone-task': spec({
    requires: ['dueDate'],
    templates: {
      'zh-CN': (c, k) => ({
        subject: `电话跟进任务：${c.counterpartyName} 应收帐款 ${c.receivableId} 将于 ${c.dueDate} 到期（${k.money(c.outstandingMinor)}）`,
        title: '电话跟进任务',
        tone: 'info',
        greeting: `${c.salespersonName}，您好：`,
        blocks: [
          p(
            `客户 ${c.counterpartyName} 的应收帐款（编号 ${c.receivableId}）将于 ${c.dueDate} 到期，尚欠 ${k.money(c.outstandingMinor)}。系统已向客户发送付款提醒邮件，请您尽快致电客户，确认付款安排及预计付款日期。`,
          ),
          facts(
            ['客户', c.counterpartyName],
            ['应收帐款编号', c.receivableId],
            ['原金额', k.money(c.amountMinor)],
            ['未付金额', k.money(c.outstandingMinor)],
            ['到期日', c.dueDate],
          ),
          p('通话后请记录客户的付款承诺；如客户提出异议或要求延期，请及时告知财务部。'),
          action('记录通话结果', c.actionUrl),
        ],
        contactIntro: '如有问题，请联系：',
        signOff: ZH_INTERNAL_SIGN,
      }),
      en: (c, k) => ({
        subject: `Call task: ${c.counterpartyName} — invoice ${c.receivableId} due ${c.dueDate} (${k.money(c.outstandingMinor)})`,
        title: 'Please call the customer',
        tone: 'info',
        greeting: `Dear ${c.salespersonName},`,
        blocks: [
          p(
            `Invoice ${c.receivableId} of ${c.counterpartyName} falls due on ${c.dueDate}, with ${k.money(c.outstandingMinor)} outstanding. The customer has been sent a payment reminder; please phone them to confirm their payment plan and expected payment date.`,
          ),
          facts(
            ['Customer', c.counterpartyName],
            ['Receivable', c.receivableId],
            ['Original amount', k.money(c.amountMinor)],
            ['Amount outstanding', k.money(c.outstandingMinor)],
            ['Due date', c.dueDate],
          ),
          p(
            'After the call, please record any payment promise; tell Finance at once if the customer disputes the invoice or asks for more time.',
          ),
          action('Record the call', c.actionUrl),
        ],
        contactIntro: 'Questions? Please contact:',
        signOff: EN_INTERNAL_SIGN,
      }),
    },
  }),

  'visit-task': spec({
    requires: ['dueDate', 'daysOverdue'],
    templates: {
      'zh-CN': (c, k) => ({
        subject: `上门拜访任务：${c.counterpartyName} 应收帐款 ${c.receivableId} 已逾期 ${k.days(c.daysOverdue)}（${k.money(c.outstandingMinor)}）`,
        title: '上门拜访任务：应收帐款逾期',
        tone: 'notice',
        greeting: `${c.salespersonName}，您好：`,
        blocks: [
          p(
            `客户 ${c.counterpartyName} 的应收帐款（编号 ${c.receivableId}）已于 ${c.dueDate} 到期，至今仍未足额付款，已逾期 ${k.days(c.daysOverdue)}，尚欠 ${k.money(c.outstandingMinor)}。该客户位于本地区，请尽快上门拜访，了解逾期原因并当面催收。`,
          ),
          facts(
            ['客户', c.counterpartyName],
            ['应收帐款编号', c.receivableId],
            ['原金额', k.money(c.amountMinor)],
            ['未付金额', k.money(c.outstandingMinor)],
            ['到期日', c.dueDate],
            ['逾期天数', k.days(c.daysOverdue)],
          ),
          p(
            '拜访后请在系统中如实记录逾期原因（如货物或发票争议、已约定的延期、客户承诺的付款日期等）。逾期满 15 天且无经财务部确认的正当理由的，该笔帐款将移交公司信用管理部，并对该客户停止供货。',
            true,
          ),
          action('记录拜访结果及逾期原因', c.actionUrl),
        ],
        contactIntro: '如需协助，请联系：',
        signOff: ZH_INTERNAL_SIGN,
      }),
      en: (c, k) => ({
        subject: `Visit task: ${c.counterpartyName} — invoice ${c.receivableId} is ${k.days(c.daysOverdue)} overdue (${k.money(c.outstandingMinor)})`,
        title: 'Visit task: overdue receivable',
        tone: 'notice',
        greeting: `Dear ${c.salespersonName},`,
        blocks: [
          p(
            `Invoice ${c.receivableId} of ${c.counterpartyName} fell due on ${c.dueDate} and has not been paid in full: it is ${k.days(c.daysOverdue)} overdue with ${k.money(c.outstandingMinor)} outstanding. The customer is in your home region; please visit them soon, find out why the payment is late and ask for payment in person.`,
          ),
          facts(
            ['Customer', c.counterpartyName],
            ['Receivable', c.receivableId],
            ['Original amount', k.money(c.amountMinor)],
            ['Amount outstanding', k.money(c.outstandingMinor)],
            ['Due date', c.dueDate],
            ['Days overdue', String(c.daysOverdue)],
          ),
          p(
            'After the visit, record the reason for the delay (e.g. a dispute over goods or invoice, an agreed extension, a promised payment date). If the receivable reaches 15 days overdue without a valid reason confirmed by Finance, it passes to the credit desk and supply to the customer stops.',
            true,
          ),
          action('Record the visit and the reason', c.actionUrl),
        ],
        contactIntro: 'If you need help, please contact:',
        signOff: EN_INTERNAL_SIGN,
      }),
    },
  }),

  'collection-notice': spec({
    requires: ['dueDate', 'daysOverdue'],
    templates: {
      'zh-CN': (c, k) => ({
        subject: `催款通知单：应收帐款 ${c.receivableId} 已逾期 ${k.days(c.daysOverdue)}，未付金额 ${k.money(c.outstandingMinor)}`,
        title: '催款通知单',
        tone: 'notice',
        greeting: `尊敬的${c.counterpartyName}：`,
        blocks: [
          p(
            `贵司编号为 ${c.receivableId} 的应收帐款已于 ${c.dueDate} 到期。截至目前，我们尚未收到全额付款，现已逾期 ${k.days(c.daysOverdue)}，未付金额为 ${k.money(c.outstandingMinor)}。`,
          ),
          facts(
            ['应收帐款编号', c.receivableId],
            ['原金额', k.money(c.amountMinor)],
            ['未付金额', k.money(c.outstandingMinor)],
            ['到期日', c.dueDate],
            ['逾期天数', k.days(c.daysOverdue)],
          ),
          p(
            '请贵司尽快安排付款。如在货物、发票或对帐等方面存在问题，烦请告知具体原因，以便我们及时协助处理。',
            true,
          ),
          p('如贵司近日已付款，请将付款凭证发送给我们，谢谢！'),
        ],
        contactIntro: '联系人：',
        signOff: ['顺颂商祺！', c.salespersonName, c.companyName],
      }),
      en: (c, k) => ({
        subject: `Payment overdue: invoice ${c.receivableId} is ${k.days(c.daysOverdue)} past due (${k.money(c.outstandingMinor)} outstanding)`,
        title: 'Collection notice',
        tone: 'notice',
        greeting: `Dear ${c.counterpartyName},`,
        blocks: [
          p(
            `Invoice ${c.receivableId} fell due on ${c.dueDate}. We have not yet received payment in full: the invoice is now ${k.days(c.daysOverdue)} overdue, with ${k.money(c.outstandingMinor)} outstanding.`,
          ),
          facts(
            ['Invoice', c.receivableId],
            ['Original amount', k.money(c.amountMinor)],
            ['Amount outstanding', k.money(c.outstandingMinor)],
            ['Due date', c.dueDate],
            ['Days overdue', String(c.daysOverdue)],
          ),
          p(
            'Please arrange payment as soon as possible. If there is a problem with the goods, the invoice or the account, please let us know so that we can help resolve it.',
            true,
          ),
          p('If you have paid in the last few days, please send us the remittance advice. Thank you.'),
        ],
        contactIntro: 'Your contact:',
        signOff: ['Kind regards,', c.salespersonName, c.companyName],
      }),
    },
  }),

  'late-reason-request': spec({
    requires: ['dueDate', 'daysOverdue'],
    templates: {
      'zh-CN': (c, k) => ({
        subject: `请记录逾期原因：${c.counterpartyName} 应收帐款 ${c.receivableId} 已逾期 ${k.days(c.daysOverdue)}`,
        title: '请查明并记录逾期原因',
        tone: 'notice',
        greeting: `${c.salespersonName}，您好：`,
        blocks: [
          p(
            `客户 ${c.counterpartyName} 的应收帐款（编号 ${c.receivableId}）已于 ${c.dueDate} 到期，现已逾期 ${k.days(c.daysOverdue)}，尚欠 ${k.money(c.outstandingMinor)}。请尽快与客户联系，查明逾期原因并在系统中记录。`,
          ),
          facts(
            ['客户', c.counterpartyName],
            ['应收帐款编号', c.receivableId],
            ['未付金额', k.money(c.outstandingMinor)],
            ['到期日', c.dueDate],
            ['逾期天数', k.days(c.daysOverdue)],
          ),
          p('记录时请写明：'),
          list(
            [
              '逾期原因（如货物质量或数量争议、发票问题、经批准的延期、客户资金困难等）；',
              '客户承诺的付款日期及金额（如有）；',
              '相关证明材料（如争议函件、延期协议）。',
            ],
            true,
          ),
          p(
            '经财务部确认的正当理由可暂停催收升级；逾期满 15 天仍无正当理由的，该笔帐款将移交信用管理部，并对该客户停止供货、下调信用等级。',
            true,
          ),
          c.actionUrl
            ? action('记录逾期原因', c.actionUrl)
            : p(`请在 creditflow 中打开应收帐款 ${c.receivableId} 填写逾期原因，或直接回复本邮件说明。`),
        ],
        contactIntro: '如有问题，请联系：',
        signOff: ZH_INTERNAL_SIGN,
      }),
      en: (c, k) => ({
        subject: `Please record why it is late: ${c.counterpartyName}, invoice ${c.receivableId}, ${k.days(c.daysOverdue)} overdue`,
        title: 'Find out and record the reason for late payment',
        tone: 'notice',
        greeting: `Dear ${c.salespersonName},`,
        blocks: [
          p(
            `Invoice ${c.receivableId} of ${c.counterpartyName} fell due on ${c.dueDate} and is now ${k.days(c.daysOverdue)} overdue, with ${k.money(c.outstandingMinor)} outstanding. Please contact the customer, find out why the payment is late and record the reason.`,
          ),
          facts(
            ['Customer', c.counterpartyName],
            ['Receivable', c.receivableId],
            ['Amount outstanding', k.money(c.outstandingMinor)],
            ['Due date', c.dueDate],
            ['Days overdue', String(c.daysOverdue)],
          ),
          p('Please record:'),
          list(
            [
              'the reason (e.g. a dispute over quality or quantity, an invoice problem, an approved extension, cash-flow difficulties);',
              'the payment date and amount the customer promises, if any;',
              'supporting documents (e.g. dispute letters, an extension agreement).',
            ],
            true,
          ),
          p(
            'A valid reason confirmed by Finance pauses escalation. Without one, at 15 days overdue the receivable passes to the credit desk, supply to the customer stops and its credit grade is lowered.',
            true,
          ),
          c.actionUrl
            ? action('Record the reason', c.actionUrl)
            : p(
                `Open receivable ${c.receivableId} in creditflow to record the reason, or reply to this e-mail.`,
              ),
        ],
        contactIntro: 'Questions? Please contact:',
        signOff: EN_INTERNAL_SIGN,
      }),
    },
  }),

  'second-collection-notice': spec({
    requires: ['dueDate', 'daysOverdue'],
    templates: {
      'zh-CN': (c, k) => ({
        subject: `第二次催款通知：应收帐款 ${c.receivableId} 已逾期 ${k.days(c.daysOverdue)}，未付金额 ${k.money(c.outstandingMinor)}`,
        title: '催款通知单（第二次）',
        tone: 'warning',
        greeting: `${c.counterpartyName}：`,
        blocks: [
          p(
            `本公司已于贵司应收帐款到期后发出催款通知。截至本通知发出之日，贵司编号为 ${c.receivableId} 的应收帐款（到期日 ${c.dueDate}）仍有 ${k.money(c.outstandingMinor)} 未付，已逾期 ${k.days(c.daysOverdue)}。`,
          ),
          facts(
            ['应收帐款编号', c.receivableId],
            ['原金额', k.money(c.amountMinor)],
            ['未付金额', k.money(c.outstandingMinor)],
            ['到期日', c.dueDate],
            ['逾期天数', k.days(c.daysOverdue)],
          ),
          p(
            `请贵司收到本通知后立即安排付款。根据本公司信用政策，欠款逾期满 15 天（即 ${k.plusDays(c.dueDate, 15)}）仍无正当理由的，本公司将停止对贵司供货，并相应下调贵司的信用等级。`,
            true,
          ),
          p('如贵司已付款，请将付款凭证发送给下列联系人以便核对；如对欠款有异议，请书面说明理由。'),
          p('特此通知。'),
        ],
        contactIntro: '联系人：',
        signOff: [c.companyName],
      }),
      en: (c, k) => ({
        subject: `Second notice: invoice ${c.receivableId} is ${k.days(c.daysOverdue)} overdue — ${k.money(c.outstandingMinor)} outstanding`,
        title: 'Second collection notice',
        tone: 'warning',
        greeting: `Dear ${c.counterpartyName},`,
        blocks: [
          p(
            `Following our earlier collection notice, we note that invoice ${c.receivableId} (due ${c.dueDate}) still has ${k.money(c.outstandingMinor)} outstanding and is now ${k.days(c.daysOverdue)} overdue.`,
          ),
          facts(
            ['Invoice', c.receivableId],
            ['Original amount', k.money(c.amountMinor)],
            ['Amount outstanding', k.money(c.outstandingMinor)],
            ['Due date', c.dueDate],
            ['Days overdue', String(c.daysOverdue)],
          ),
          p(
            `Please make payment immediately. Under our credit policy, if the debt is still unpaid without a valid reason at 15 days overdue (${k.plusDays(c.dueDate, 15)}), we will stop supplying your company and lower your credit grade.`,
            true,
          ),
          p(
            'If you have already paid, please send the remittance advice to the contact below so that we can reconcile it; if you dispute the amount, please tell us why in writing.',
          ),
        ],
        contactIntro: 'Your contact:',
        signOff: ['Yours faithfully,', c.companyName],
      }),
    },
  }),

  'overdue-warning-letter': spec({
    requires: ['dueDate', 'daysOverdue', 'gradeBefore', 'gradeAfter'],
    templates: {
      'zh-CN': (c, k) => ({
        subject: `客户欠款警告书：应收帐款 ${c.receivableId} 已逾期 ${k.days(c.daysOverdue)}，未付 ${k.money(c.outstandingMinor)}，已停止供货`,
        title: '客户欠款警告书',
        tone: 'warning',
        greeting: `${c.counterpartyName}：`,
        blocks: [
          p(
            `贵司编号为 ${c.receivableId} 的应收帐款已于 ${c.dueDate} 到期。本公司已先后发出催款通知，但截至本函发出之日，贵司仍有 ${k.money(c.outstandingMinor)} 未付，已逾期 ${k.days(c.daysOverdue)}，且未提供正当理由。`,
          ),
          facts(
            ['应收帐款编号', c.receivableId],
            ['原金额', k.money(c.amountMinor)],
            ['欠款金额', k.money(c.outstandingMinor)],
            ['到期日', c.dueDate],
            ['逾期天数', k.days(c.daysOverdue)],
            ['信用等级', `${c.gradeBefore} → ${c.gradeAfter}`],
          ),
          p('根据本公司信用管理制度，自即日起：'),
          list(
            [
              '暂停对贵司的一切供货，贵司新的赊销申请不予受理；',
              `贵司的信用等级由 ${c.gradeBefore} 下调为 ${c.gradeAfter}；`,
              '该笔欠款已移交本公司信用管理部负责催收。',
            ],
            true,
          ),
          p(
            `请贵司立即付清上述欠款。如逾期满 30 天（即 ${k.plusDays(c.dueDate, 30)}）仍未付清，本公司将终止与贵司的合作，并保留通过法律途径追讨欠款及相关费用的权利。`,
            true,
          ),
          p('贵司付清所有逾期 15 天以上的欠款后，本公司将恢复供货。'),
          p('特此函告。'),
        ],
        contactIntro: '联系人：',
        signOff: [c.companyName],
      }),
      en: (c, k) => ({
        subject: `Overdue account warning: invoice ${c.receivableId} is ${k.days(c.daysOverdue)} overdue (${k.money(c.outstandingMinor)}) — supply suspended`,
        title: 'Formal warning: overdue account',
        tone: 'warning',
        greeting: `Dear ${c.counterpartyName},`,
        blocks: [
          p(
            `Invoice ${c.receivableId} fell due on ${c.dueDate}. Despite our collection notices, ${k.money(c.outstandingMinor)} remains unpaid as of the date of this letter. The debt is now ${k.days(c.daysOverdue)} overdue and no valid reason has been given.`,
          ),
          facts(
            ['Invoice', c.receivableId],
            ['Original amount', k.money(c.amountMinor)],
            ['Amount overdue', k.money(c.outstandingMinor)],
            ['Due date', c.dueDate],
            ['Days overdue', String(c.daysOverdue)],
            ['Credit grade', `${c.gradeBefore} → ${c.gradeAfter}`],
          ),
          p('Under our credit policy, with immediate effect:'),
          list(
            [
              'all supplies to your company are suspended and no new credit applications will be accepted;',
              `your credit grade is lowered from ${c.gradeBefore} to ${c.gradeAfter};`,
              'the debt has been passed to our credit department for collection.',
            ],
            true,
          ),
          p(
            `Please pay the amount overdue immediately. If it is still unpaid at 30 days overdue (${k.plusDays(c.dueDate, 30)}), we will terminate our business relationship and reserve the right to take legal action to recover the debt and our costs.`,
            true,
          ),
          p('Supply will resume once no amount of yours is 15 or more days overdue.'),
        ],
        contactIntro: 'Your contact:',
        signOff: ['Yours faithfully,', c.companyName],
      }),
    },
  }),

  'supply-stopped': spec({
    requires: ['dueDate', 'daysOverdue'],
    templates: {
      'zh-CN': (c, k) => ({
        subject: `停止供货：${c.counterpartyName}（应收帐款 ${c.receivableId} 逾期 ${k.days(c.daysOverdue)}，未付 ${k.money(c.outstandingMinor)}）`,
        title: `停止供货通知：${c.counterpartyName}`,
        tone: 'warning',
        greeting: '销售部、财务部及信用管理部各位同事：',
        blocks: [
          p(
            `客户 ${c.counterpartyName} 的应收帐款（编号 ${c.receivableId}，到期日 ${c.dueDate}）已逾期 ${k.days(c.daysOverdue)}，尚欠 ${k.money(c.outstandingMinor)}，且无经财务部确认的正当理由。即日起对该客户停止供货：其新的赊销申请将被自动拒绝，新订单一律暂停发货。`,
          ),
          facts(
            ['客户', c.counterpartyName],
            ['应收帐款编号', c.receivableId],
            ['业务员', c.salespersonName],
            ['原金额', k.money(c.amountMinor)],
            ['未付金额', k.money(c.outstandingMinor)],
            ['到期日', c.dueDate],
            ['逾期天数', k.days(c.daysOverdue)],
            [
              '信用等级',
              c.gradeBefore && c.gradeAfter
                ? `${c.gradeBefore} → ${c.gradeAfter}`
                : c.gradeAfter || undefined,
            ],
          ),
          p('待该客户名下不再有逾期 15 天及以上的应收帐款时，系统将自动恢复供货并另行通知。'),
          action('查看应收帐款', c.actionUrl),
        ],
        contactIntro: '如有疑问，请联系：',
        signOff: ZH_INTERNAL_SIGN,
      }),
      en: (c, k) => ({
        subject: `Supply stopped: ${c.counterpartyName} (invoice ${c.receivableId} ${k.days(c.daysOverdue)} overdue, ${k.money(c.outstandingMinor)})`,
        title: `Supply stopped: ${c.counterpartyName}`,
        tone: 'warning',
        greeting: 'Dear colleagues in Sales, Finance and the credit desk,',
        blocks: [
          p(
            `Invoice ${c.receivableId} of ${c.counterpartyName} (due ${c.dueDate}) is ${k.days(c.daysOverdue)} overdue with ${k.money(c.outstandingMinor)} outstanding, and no valid reason has been confirmed by Finance. Supply to this customer stops with immediate effect: new credit applications are rejected automatically and new orders must not be shipped.`,
          ),
          facts(
            ['Customer', c.counterpartyName],
            ['Receivable', c.receivableId],
            ['Salesperson', c.salespersonName],
            ['Original amount', k.money(c.amountMinor)],
            ['Amount outstanding', k.money(c.outstandingMinor)],
            ['Due date', c.dueDate],
            ['Days overdue', String(c.daysOverdue)],
            [
              'Credit grade',
              c.gradeBefore && c.gradeAfter
                ? `${c.gradeBefore} → ${c.gradeAfter}`
                : c.gradeAfter || undefined,
            ],
          ),
          p(
            'Supply resumes automatically once the customer has no receivable 15 or more days overdue; you will be notified.',
          ),
          action('Open the receivable', c.actionUrl),
        ],
        contactIntro: 'Questions? Please contact:',
        signOff: EN_INTERNAL_SIGN,
      }),
    },
  }),

  'supply-resumed': spec({
    requires: [],
    templates: {
      'zh-CN': (c, k) => ({
        subject: `恢复供货：${c.counterpartyName}`,
        title: `恢复供货通知：${c.counterpartyName}`,
        tone: 'info',
        greeting: '销售部、财务部及信用管理部各位同事：',
        blocks: [
          p(
            `客户 ${c.counterpartyName} 名下已无逾期 15 天及以上的应收帐款，即日起恢复对该客户供货，可正常受理其订单及赊销申请（仍须按信用额度审批）。`,
          ),
          facts(
            ['客户', c.counterpartyName],
            ['相关应收帐款', c.receivableId],
            ['业务员', c.salespersonName],
            ['原金额', k.money(c.amountMinor)],
            ['本次收款', c.paymentMinor === undefined ? undefined : k.money(c.paymentMinor)],
            ['未付金额', k.money(c.outstandingMinor)],
            ['到期日', c.dueDate],
            ['逾期天数', c.daysOverdue ? k.days(c.daysOverdue) : undefined],
            ['当前信用等级', c.gradeAfter],
          ),
          action('查看客户', c.actionUrl),
        ],
        contactIntro: '如有疑问，请联系：',
        signOff: ZH_INTERNAL_SIGN,
      }),
      en: (c, k) => ({
        subject: `Supply resumed: ${c.counterpartyName}`,
        title: `Supply resumed: ${c.counterpartyName}`,
        tone: 'info',
        greeting: 'Dear colleagues in Sales, Finance and the credit desk,',
        blocks: [
          p(
            `${c.counterpartyName} no longer has any receivable 15 or more days overdue. Supply resumes with immediate effect: orders and credit applications may be accepted again (subject to the usual credit-limit approval).`,
          ),
          facts(
            ['Customer', c.counterpartyName],
            ['Related receivable', c.receivableId],
            ['Salesperson', c.salespersonName],
            ['Original amount', k.money(c.amountMinor)],
            ['Payment received', c.paymentMinor === undefined ? undefined : k.money(c.paymentMinor)],
            ['Amount outstanding', k.money(c.outstandingMinor)],
            ['Due date', c.dueDate],
            ['Days overdue', c.daysOverdue ? String(c.daysOverdue) : undefined],
            ['Current credit grade', c.gradeAfter],
          ),
          action('Open the customer', c.actionUrl),
        ],
        contactIntro: 'Questions? Please contact:',
        signOff: EN_INTERNAL_SIGN,
      }),
    },
  }),

  'credit-desk-handover': spec({
    requires: ['dueDate', 'daysOverdue'],
    templates: {
      'zh-CN': (c, k) => ({
        subject: `应收帐款移交信用管理部：${c.counterpartyName} ${c.receivableId}，逾期 ${k.days(c.daysOverdue)}，未付 ${k.money(c.outstandingMinor)}`,
        title: '应收帐款移交通知',
        tone: 'notice',
        greeting: '信用管理部各位同事：',
        blocks: [
          p(
            `客户 ${c.counterpartyName} 的应收帐款（编号 ${c.receivableId}）已逾期 ${k.days(c.daysOverdue)}，且无经财务部确认的正当理由。按公司规定，自即日起该笔帐款由业务员 ${c.salespersonName} 移交信用管理部负责催收。`,
          ),
          facts(
            ['客户', c.counterpartyName],
            ['应收帐款编号', c.receivableId],
            ['原业务员', c.salespersonName],
            ['原金额', k.money(c.amountMinor)],
            ['未付金额', k.money(c.outstandingMinor)],
            ['到期日', c.dueDate],
            ['逾期天数', k.days(c.daysOverdue)],
            [
              '信用等级',
              c.gradeBefore && c.gradeAfter
                ? `${c.gradeBefore} → ${c.gradeAfter}`
                : c.gradeAfter || undefined,
            ],
          ),
          p(
            `系统已同时向客户发出《客户欠款警告书》，对该客户停止供货并下调其信用等级。逾期满 30 天（${k.plusDays(c.dueDate, 30)}）仍未付清的，将提请经理决定终止合作和/或诉诸司法。`,
          ),
          action('接手处理', c.actionUrl),
        ],
        contactIntro: '原业务联系人：',
        signOff: ZH_INTERNAL_SIGN,
      }),
      en: (c, k) => ({
        subject: `Handed over to the credit desk: ${c.counterpartyName}, ${c.receivableId}, ${k.days(c.daysOverdue)} overdue, ${k.money(c.outstandingMinor)} outstanding`,
        title: 'Receivable handed over to you',
        tone: 'notice',
        greeting: 'Dear credit desk,',
        blocks: [
          p(
            `Receivable ${c.receivableId} of ${c.counterpartyName} is ${k.days(c.daysOverdue)} overdue with no valid reason confirmed by Finance. Under company policy it passes from ${c.salespersonName} to the credit desk for collection, with immediate effect.`,
          ),
          facts(
            ['Customer', c.counterpartyName],
            ['Receivable', c.receivableId],
            ['Previous owner', c.salespersonName],
            ['Original amount', k.money(c.amountMinor)],
            ['Amount outstanding', k.money(c.outstandingMinor)],
            ['Due date', c.dueDate],
            ['Days overdue', String(c.daysOverdue)],
            [
              'Credit grade',
              c.gradeBefore && c.gradeAfter
                ? `${c.gradeBefore} → ${c.gradeAfter}`
                : c.gradeAfter || undefined,
            ],
          ),
          p(
            `The customer has been sent a formal overdue warning letter, supply has been stopped and the credit grade lowered. If it is still unpaid at 30 days overdue (${k.plusDays(c.dueDate, 30)}), a manager will be asked to decide on termination and/or legal action.`,
          ),
          action('Take over the receivable', c.actionUrl),
        ],
        contactIntro: 'Previous contact for this account:',
        signOff: EN_INTERNAL_SIGN,
      }),
    },
  }),

  'legal-escalation': spec({
    requires: ['dueDate', 'daysOverdue', 'legalAction', 'deadline'],
    templates: {
      'zh-CN': (c, k) => ({
        subject: `法律升级待确认：${c.counterpartyName} 应收帐款 ${c.receivableId} 逾期 ${k.days(c.daysOverdue)}（${k.money(c.outstandingMinor)}），请于 ${c.deadline} 前确认`,
        title: '逾期帐款处理措施待确认（取消合作 / 诉诸司法）',
        tone: 'warning',
        greeting: '经理，您好：',
        blocks: [
          p(
            `客户 ${c.counterpartyName} 的应收帐款（编号 ${c.receivableId}，到期日 ${c.dueDate}）已逾期 ${k.days(c.daysOverdue)}，仍有 ${k.money(c.outstandingMinor)} 未付。根据欠款金额，系统建议采取以下措施：`,
          ),
          list(zhLegal(c.legalAction)),
          facts(
            ['客户', c.counterpartyName],
            ['应收帐款编号', c.receivableId],
            ['原业务员', c.salespersonName],
            ['原金额', k.money(c.amountMinor)],
            ['未付金额', k.money(c.outstandingMinor)],
            ['到期日', c.dueDate],
            ['逾期天数', k.days(c.daysOverdue)],
            ['当前信用等级', c.gradeAfter],
            ['确认截止时间', c.deadline],
          ),
          p(`请于 ${c.deadline} 前确认或调整上述措施。`, true),
          action('确认处理措施', c.actionUrl),
        ],
        contactIntro: '如需了解催收经过，请联系：',
        signOff: ZH_INTERNAL_SIGN,
      }),
      en: (c, k) => ({
        subject: `Legal escalation: ${c.counterpartyName}, invoice ${c.receivableId} ${k.days(c.daysOverdue)} overdue (${k.money(c.outstandingMinor)}) — confirm by ${c.deadline}`,
        title: 'Overdue account: proposed termination / legal action',
        tone: 'warning',
        greeting: 'Dear Manager,',
        blocks: [
          p(
            `Receivable ${c.receivableId} of ${c.counterpartyName} (due ${c.dueDate}) is ${k.days(c.daysOverdue)} overdue with ${k.money(c.outstandingMinor)} still unpaid. Based on the amount, the proposed action is:`,
          ),
          list(enLegal(c.legalAction)),
          facts(
            ['Customer', c.counterpartyName],
            ['Receivable', c.receivableId],
            ['Salesperson', c.salespersonName],
            ['Original amount', k.money(c.amountMinor)],
            ['Amount outstanding', k.money(c.outstandingMinor)],
            ['Due date', c.dueDate],
            ['Days overdue', String(c.daysOverdue)],
            ['Current credit grade', c.gradeAfter],
            ['Confirm by', c.deadline],
          ),
          p(`Please confirm or amend the proposed action by ${c.deadline}.`, true),
          action('Confirm the action', c.actionUrl),
        ],
        contactIntro: 'For the collection history, please contact:',
        signOff: EN_INTERNAL_SIGN,
      }),
    },
  }),

  'payment-received': spec({
    requires: ['paymentMinor'],
    templates: {
      'zh-CN': (c, k) => {
        const settled = c.outstandingMinor <= 0;
        const d = settled ? c.discount : undefined;
        return {
          subject: settled
            ? `收款确认：已收到 ${k.money(c.paymentMinor)}，应收帐款 ${c.receivableId} 已结清`
            : `收款确认：已收到 ${k.money(c.paymentMinor)}，应收帐款 ${c.receivableId} 尚欠 ${k.money(c.outstandingMinor)}`,
          title: '收款确认',
          tone: 'info',
          greeting: `尊敬的${c.counterpartyName}：`,
          blocks: [
            settled
              ? p(
                  `我们已收到贵司支付的 ${k.money(c.paymentMinor)}，编号为 ${c.receivableId} 的应收帐款已全部结清。感谢贵司的及时付款！`,
                )
              : p(
                  `我们已收到贵司支付的 ${k.money(c.paymentMinor)}，谢谢！编号为 ${c.receivableId} 的应收帐款尚有 ${k.money(c.outstandingMinor)} 未付。`,
                ),
            d &&
              p(
                `贵司在现金折扣期内（${d.lastDay} 前）付款，享受 ${k.percent(d.rateBp)} 的现金折扣，减免 ${k.money(c.amountMinor - d.discountedMinor)}。`,
              ),
            facts(
              ['应收帐款编号', c.receivableId],
              ['原金额', k.money(c.amountMinor)],
              ['本次收款', k.money(c.paymentMinor)],
              ['现金折扣', d && `${k.terms(d)}，减免 ${k.money(c.amountMinor - d.discountedMinor)}`],
              ['未付金额', settled ? `${k.money(0)}（已结清）` : k.money(c.outstandingMinor)],
              ['到期日', c.dueDate],
              ['逾期天数', !settled && c.daysOverdue ? k.days(c.daysOverdue) : undefined],
            ),
            !settled &&
              (c.daysOverdue
                ? p(
                    `该笔款项已逾期 ${k.days(c.daysOverdue)}，请尽快付清余款 ${k.money(c.outstandingMinor)}。`,
                    true,
                  )
                : c.dueDate
                  ? p(`请于 ${c.dueDate}（含）前付清余款 ${k.money(c.outstandingMinor)}。`, true)
                  : p(`请尽快安排支付余款 ${k.money(c.outstandingMinor)}。`, true)),
          ],
          contactIntro: '如对帐目有任何疑问，请联系：',
          signOff: ['顺颂商祺！', c.salespersonName, c.companyName],
        };
      },
      en: (c, k) => {
        const settled = c.outstandingMinor <= 0;
        const d = settled ? c.discount : undefined;
        return {
          subject: settled
            ? `Payment received: ${k.money(c.paymentMinor)} — invoice ${c.receivableId} is settled`
            : `Payment received: ${k.money(c.paymentMinor)} — invoice ${c.receivableId}, ${k.money(c.outstandingMinor)} still outstanding`,
          title: 'Payment received',
          tone: 'info',
          greeting: `Dear ${c.counterpartyName},`,
          blocks: [
            settled
              ? p(
                  `We have received your payment of ${k.money(c.paymentMinor)}. Invoice ${c.receivableId} is now settled in full. Thank you for paying promptly.`,
                )
              : p(
                  `We have received your payment of ${k.money(c.paymentMinor)}, thank you. Invoice ${c.receivableId} still has ${k.money(c.outstandingMinor)} outstanding.`,
                ),
            d &&
              p(
                `As you paid within the discount period (by ${d.lastDay}), a ${k.percent(d.rateBp)} cash discount of ${k.money(c.amountMinor - d.discountedMinor)} has been applied.`,
              ),
            facts(
              ['Invoice', c.receivableId],
              ['Original amount', k.money(c.amountMinor)],
              ['Payment received', k.money(c.paymentMinor)],
              ['Cash discount', d && `${k.terms(d)}: ${k.money(c.amountMinor - d.discountedMinor)}`],
              ['Amount outstanding', settled ? `${k.money(0)} (settled)` : k.money(c.outstandingMinor)],
              ['Due date', c.dueDate],
              ['Days overdue', !settled && c.daysOverdue ? String(c.daysOverdue) : undefined],
            ),
            !settled &&
              (c.daysOverdue
                ? p(
                    `The balance is ${k.days(c.daysOverdue)} overdue; please pay the remaining ${k.money(c.outstandingMinor)} as soon as possible.`,
                    true,
                  )
                : c.dueDate
                  ? p(`Please pay the remaining ${k.money(c.outstandingMinor)} by ${c.dueDate}.`, true)
                  : p(`Please arrange payment of the remaining ${k.money(c.outstandingMinor)}.`, true)),
          ],
          contactIntro: 'If you have any questions about your account, please contact:',
          signOff: ['Kind regards,', c.salespersonName, c.companyName],
        };
      },
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
  const template = s.templates[language];
  if (template === undefined) throw new Error(`unsupported mail language: ${String(language)}`);
  validate(kind, s, ctx);
  const doc = template(ctx, makeKit(ctx, language));
  // One line, no header injection.
  const subject = `[${ctx.companyName}] ${doc.subject}`.replace(/[\r\n\t]+/g, ' ').trim();
  const ch = CHROME[language];
  return { subject, text: renderText(doc, ch, ctx), html: renderHtml(doc, ch, ctx, language, subject) };
}
