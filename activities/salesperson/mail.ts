/**
 * Finance's monthly e-mail of the salesperson receivable assessment (docs/domain.md §4): the table as text, as HTML and
 * as CSV inline. Pure: the activity sends what this returns. Money is shown by the one formatter
 * (domain/format.js) in the policy's currency; the CSV keeps minor units.
 */
import { assessmentCsv } from '../../domain/csv.js';
import { escapeHtml, formatMoney } from '../../domain/format.js';
import type { AssessmentTableRow, Month } from '../../domain/salesperson-review.js';

export function assessmentMail(
  companyName: string,
  month: Month,
  rows: readonly AssessmentTableRow[],
  /** The policy's currency (ISO 4217). */
  currency: string,
): { subject: string; text: string; html: string } {
  const money = (minor: number) => formatMoney(minor, currency, 'zh-CN');
  const total = rows.reduce((s, r) => s + r.rewardPenaltyMinor, 0);
  const lines = rows.map(
    (r) =>
      `${r.salespersonId}\t${r.salespersonName}\treceivables ${money(r.receivablesMinor)}\trates ${r.totalRateBp} bp\treward/penalty ${money(r.rewardPenaltyMinor)}`,
  );
  const text = [
    `${companyName}: salesperson receivable assessment ${month} / 应收帐款考核表 ${month}`,
    '',
    ...lines,
    '',
    `Total reward (+) / penalty (−): ${money(total)} — paid with or deducted from commission.`,
    'Amount = receivables × sum of the rates, rounded half away from zero to a minor unit.',
    '',
    'CSV:',
    assessmentCsv(month, rows),
  ].join('\n');
  const html = `<p>${escapeHtml(companyName)}: salesperson receivable assessment ${month} / 应收帐款考核表</p>
<table border="1" cellpadding="4"><tr><th>id</th><th>name</th><th>receivables</th><th>rates (bp)</th><th>reward/penalty</th></tr>
${rows
  .map(
    (r) =>
      `<tr><td>${escapeHtml(r.salespersonId)}</td><td>${escapeHtml(r.salespersonName)}</td><td>${money(r.receivablesMinor)}</td><td>${r.totalRateBp}</td><td>${money(r.rewardPenaltyMinor)}</td></tr>`,
  )
  .join('\n')}
</table><p>Total: ${money(total)}</p>`;
  return { subject: `Salesperson assessment ${month} / 应收帐款考核 ${month}`, text, html };
}

/**
 * The early warning to a salesperson and the managers when an application takes the salesperson's
 * receivables past the policy's warning level (docs/domain.md §5). Pure, like the table above.
 */
export function limitWarningMail(w: {
  salesperson: { id: string; name: string };
  receivableId: string;
  amountMinor: number;
  /** The salesperson's receivables with this application, and their limit. */
  afterMinor: number;
  limitMinor: number;
  usagePercent: number;
  warningBp: number;
  currency: string;
}): { subject: string; text: string; html: string } {
  const money = (minor: number) => formatMoney(minor, w.currency, 'zh-CN');
  const { id, name } = w.salesperson;
  const level = `${w.warningBp / 100} %`;
  const reach = `takes receivables to ${money(w.afterMinor)} of the ${money(w.limitMinor)} limit`;
  return {
    subject: `信用额度预警 / Receivables limit warning: ${name} at ${w.usagePercent} %`,
    text: [
      `${name} (${id}): application ${w.receivableId} (${money(w.amountMinor)}) ${reach} (${w.usagePercent} %).`,
      `The warning level is ${level}; at 100 % new credit is refused.`,
      `${name}：申请 ${w.receivableId} 使应收帐款达到额度的 ${w.usagePercent} %（预警线 ${level}，达到 100 % 将停止赊销）。`,
    ].join('\n'),
    html: `<p>${escapeHtml(name)} (${escapeHtml(id)}): application ${escapeHtml(w.receivableId)} ${reach} (<b>${w.usagePercent} %</b>). Warning level ${level}; at 100 % new credit is refused.</p>`,
  };
}
