/**
 * Finance's monthly e-mail of the salesperson receivable assessment (§4): the table as text, as HTML and
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
