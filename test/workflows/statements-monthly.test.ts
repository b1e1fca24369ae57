/**
 * The monthly statements of account on the time-skipping test server: the real workflow and
 * activities over receivables and payments seeded in PostgreSQL (unique ids; the run is scoped
 * to this file's counterparties). Each counterparty with an item open at the month's end gets one
 * e-mail with its statement as PDF and CSV; one without gets none; a re-run of the month sends
 * nothing again, and the statement keeps its letter number.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../domain/format.js';
import type { Pool } from '../../store/db.js';
import {
  type MonthlyStatementsResult,
  STATEMENT_TASK_QUEUE,
  statementMailKey,
  statementsWorkflowId,
} from '../../workflows/statements/contract.js';
import { monthlyStatementsWorkflow } from '../../workflows/statements/statements.workflow.js';
import { mailsWithKey } from '../support/inbox.js';
import { compact, pdfText } from '../support/pdf.js';
import { seedCounterparty, seedPayments, seedReceivables, seedSalesperson } from '../support/seed.js';
import { cycleSystemPerFile } from '../support/workflow-env.js';

const MONTH = '2031-03';
let env: TestWorkflowEnvironment;
let pool: Pool;
const tag = randomUUID().slice(0, 8);
const SP = `SPS-${tag}`;
const ZH = `STZ-${tag}`;
const EN = `STE-${tag}`;
const PAID = `STP-${tag}`;

async function seed() {
  await seedSalesperson(pool, { id: SP, name: 'Zhao Lei' });
  await seedCounterparty(pool, {
    id: ZH,
    name: `苏州华宇贸易有限公司 ${tag}`,
    email: `${ZH.toLowerCase()}@dealer.test`,
    language: 'zh-CN',
    address: '江苏省苏州市工业园区星湖街 328 号',
  });
  await seedCounterparty(pool, {
    id: EN,
    name: `Harbour Imports ${tag}`,
    email: `${EN.toLowerCase()}@dealer.test`,
    language: 'en',
    contactName: 'Jane Lee',
  });
  await seedCounterparty(pool, { id: PAID, email: `${PAID.toLowerCase()}@dealer.test` });
  const r = (
    id: string,
    counterpartyId: string,
    amount: number,
    issued: string,
    due: string,
    stage: string,
    outstanding: number,
    settled: string | null = null,
  ) => ({
    id: `${id}-${tag}`,
    counterpartyId,
    salespersonId: SP,
    currency: 'CNY',
    requestedMinor: amount,
    requestedTermDays: 30,
    approvedMinor: amount,
    approvedTermDays: 30,
    issueDate: issued,
    dueDate: due,
    stage,
    outstandingMinor: outstanding,
    paidMinor: amount - outstanding,
    discountMinor: 0,
    writtenOffMinor: 0,
    settledOn: settled,
    policyVersion: 'test',
  });
  await seedReceivables(pool, [
    // ZH: open since February, part paid in March; a new invoice in March
    r('Z1', ZH, 800_000, '2031-02-01', '2031-03-03', 'overdue', 500_000),
    r('Z2', ZH, 123_456, '2031-03-15', '2031-04-14', 'issued', 123_456),
    // EN: issued in March, open
    r('E1', EN, 250_000, '2031-03-10', '2031-03-25', 'overdue', 250_000),
    // PAID: paid in full in March: a movement, but nothing open at the end
    r('P1', PAID, 90_000, '2031-02-20', '2031-03-22', 'paid', 0, '2031-03-20'),
  ]);
  await seedPayments(pool, [
    {
      id: `PZ1-${tag}`,
      receivableId: `Z1-${tag}`,
      amountMinor: 300_000,
      discountMinor: 0,
      paidOn: '2031-03-12',
    },
    {
      id: `PP1-${tag}`,
      receivableId: `P1-${tag}`,
      amountMinor: 90_000,
      discountMinor: 0,
      paidOn: '2031-03-20',
    },
  ]);
}

cycleSystemPerFile(['statements'], async (s) => {
  ({ env, pool } = s);
  await seed();
});

const run = (): Promise<MonthlyStatementsResult> =>
  env.client.workflow.execute(monthlyStatementsWorkflow, {
    taskQueue: STATEMENT_TASK_QUEUE,
    workflowId: `${statementsWorkflowId(MONTH)}:${tag}:${randomUUID().slice(0, 4)}`,
    args: [{ month: MONTH, counterpartyIds: [ZH, EN, PAID] }],
  });

describe('monthly statements of account', () => {
  it('mails each counterparty with open items its statement as PDF and CSV, once', async () => {
    expect(await run()).toEqual({ month: MONTH, from: '2031-03-01', to: '2031-03-31', sent: 2, skipped: 1 });

    const [zh] = await mailsWithKey(statementMailKey(ZH, MONTH));
    expect(zh?.to).toEqual([`${ZH.toLowerCase()}@dealer.test`]);
    expect(zh?.subject).toBe('对账单（2031年3月1日至2031年3月31日）');
    expect(zh?.text).toContain('¥6,234.56'); // 5,000.00 + 1,234.56 closing
    expect(zh?.attachments?.map((a) => [a.filename, a.contentType])).toEqual([
      [`statement-${ZH}-${MONTH}.pdf`, 'application/pdf'],
      [`statement-${ZH}-${MONTH}.csv`, 'text/csv'],
    ]);
    const pdf = Buffer.from(zh?.attachments?.[0]?.content ?? '', 'base64');
    const text = compact(await pdfText(pdf));
    for (const s of [
      '对账单',
      '苏州华宇贸易有限公司',
      '江苏省苏州市工业园区星湖街328号',
      '期初余额',
      '期末余额',
    ])
      expect(text).toContain(s);
    // opening 8,000.00; invoiced 1,234.56; paid 3,000.00; closing 6,234.56; open Z1 5,000.00 and Z2
    for (const minor of [800_000, 123_456, 300_000, 623_456, 500_000])
      expect(text).toContain(formatMoney(minor, 'CNY'));
    expect(text).toMatch(/CF-\d{4}-\d{6}/);
    const csv = parse(Buffer.from(zh?.attachments?.[1]?.content ?? '', 'base64').toString('utf8'), {
      columns: true,
    }) as Record<string, string>[];
    expect(
      csv.map((row) => [row.record, row.receivable_id, row.debit_minor, row.credit_minor, row.balance_minor]),
    ).toEqual([
      // the payment on 12 March comes before the invoice of the 15th
      ['opening', '', '', '', '800000'],
      ['payment', `Z1-${tag}`, '0', '300000', ''],
      ['invoice', `Z2-${tag}`, '123456', '0', ''],
      ['closing', '', '', '', '623456'],
      ['open-item', `Z1-${tag}`, '', '', '500000'],
      ['open-item', `Z2-${tag}`, '', '', '123456'],
    ]);

    const [en] = await mailsWithKey(statementMailKey(EN, MONTH));
    expect(en?.subject).toBe('Statement of Account (1 March 2031 to 31 March 2031)');
    expect(en?.text).toContain('Dear Jane Lee');
    const enText = compact(await pdfText(Buffer.from(en?.attachments?.[0]?.content ?? '', 'base64')));
    expect(enText).toContain(compact('Statement of Account'));
    expect(enText).toContain('¥2,500.00');

    expect(await mailsWithKey(statementMailKey(PAID, MONTH))).toEqual([]);
  });

  it('sends nothing again when the month runs again', async () => {
    const number = async () => {
      const { rows } = await pool.query<{ number: string }>(
        'SELECT number FROM letter_numbers WHERE counterparty_id = $1',
        [ZH],
      );
      return rows.map((r) => r.number);
    };
    const before = await number();
    expect(before).toHaveLength(1);
    expect(await run()).toMatchObject({ sent: 0, skipped: 1 });
    expect(await mailsWithKey(statementMailKey(ZH, MONTH))).toHaveLength(1);
    expect(await mailsWithKey(statementMailKey(EN, MONTH))).toHaveLength(1);
    expect(await number()).toEqual(before);
  });
});
