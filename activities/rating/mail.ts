/**
 * The dealer rating's e-mails (§2): the dealer's grade mail, in the dealer's language, and the managers'
 * request to decide on a dealer after two bad quarters. Pure: the activities send what these return.
 * Money is shown by the one formatter (domain/format.js) in the policy's currency.
 */
import { escapeHtml, formatMoney } from '../../domain/format.js';

export interface RatingMail {
  subject: string;
  text: string;
  html: string;
}

/** Paragraphs as a mail: separated by a blank line in the text, one <p> each in the HTML. */
function paragraphs(subject: string, lines: readonly string[]): RatingMail {
  return {
    subject,
    text: lines.join('\n\n'),
    html: `<!doctype html><html><body>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</body></html>`,
  };
}

/** The dealer's e-mail about a new grade: short, in the dealer's language, text and HTML. */
export function gradeMail(
  companyName: string,
  dealer: { name: string; language: 'zh-CN' | 'en' },
  r: {
    quarter: string;
    grade: string;
    gradeBefore: string | null;
    creditLimitMinor: number;
    creditTermDays: number;
  },
  /** The policy's currency (ISO 4217): a dealer's credit limit is in it. */
  currency: string,
): RatingMail {
  const limit = formatMoney(r.creditLimitMinor, currency, dealer.language);
  if (dealer.language === 'zh-CN')
    return paragraphs(`${companyName}：${r.quarter} 信用等级调整为 ${r.grade}`, [
      `${dealer.name}：`,
      `根据 ${r.quarter} 季度信用等级评估，贵公司的信用等级由 ${r.gradeBefore ?? '（无）'} 调整为 ${r.grade}。`,
      r.creditLimitMinor > 0
        ? `新的信用额度为 ${limit}，信用期限为 ${r.creditTermDays} 天。`
        : '本季度暂不给予赊销额度。',
      `${companyName} 信用管理部`,
    ]);
  return paragraphs(`${companyName}: your credit grade for ${r.quarter} is ${r.grade}`, [
    `Dear ${dealer.name},`,
    `Following the credit rating for ${r.quarter}, your credit grade has changed from ${r.gradeBefore ?? '(none)'} to ${r.grade}.`,
    r.creditLimitMinor > 0
      ? `Your new credit limit is ${limit} with a credit term of ${r.creditTermDays} days.`
      : 'No credit is granted this quarter.',
    `${companyName} credit management`,
  ]);
}

/** The managers' request (both languages): two bad quarters in a row, decide by the deadline. */
export function continuationDecisionMail(
  companyName: string,
  a: {
    quarter: string;
    dealerId: string;
    /** The dealer's name, or its id when it is not found. */
    dealerName: string;
    grade: string;
    previousGrade: string | null;
    deadline: string;
    onDeadline: string;
  },
): RatingMail {
  return paragraphs(`${companyName}: decide on dealer ${a.dealerId} — two bad quarters (${a.quarter})`, [
    `Dealer ${a.dealerName} (${a.dealerId}) is rated ${a.grade} for ${a.quarter}, after ${a.previousGrade} the quarter before: two bad quarters in a row.`,
    `经销商 ${a.dealerName} 连续两个季度信用等级为 ${a.previousGrade}、${a.grade}，请决定继续合作、停止供货或终止合同。`,
    `Decide by ${a.deadline} (continue, stop supply or end the contract): POST /v1/dealers/${a.dealerId}/continuation-decision/${a.quarter}. Without a decision, "${a.onDeadline}" applies.`,
  ]);
}
