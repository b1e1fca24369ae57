/**
 * Grouped correspondence's pure parts (docs/correspondence.md): the policy section and its
 * default, and the debtor-notices and salesperson-tasks templates as the stand-in renderer
 * renders them in both languages.
 */
import { describe, expect, it } from 'vitest';
import { correspondencePolicy, DEFAULT_POLICY } from '../../domain/policy.js';
import { PolicyError, resolvePolicy } from '../../infra/policy.js';
import { createMessageRenderer } from '../../operations/correspondence/render.js';
import { DEBTOR_NOTICE_STEPS } from '../../workflows/correspondence/contract.js';

const item = (receivableId: string, step: string, daysOverdue: number) => ({
  receivableId,
  step,
  counterpartyName: '华东经销商',
  issueDate: '2026-01-05',
  dueDate: '2026-02-04',
  amountMinor: 500_000,
  outstandingMinor: 300_000,
  currency: 'CNY',
  daysOverdue,
  taskDueOn: '2026-02-23',
});

describe('policy.correspondence', () => {
  it('defaults to a 10-minute window for policies stored before it existed', () => {
    expect(correspondencePolicy(DEFAULT_POLICY)).toEqual({ gatherMinutes: 10 });
    expect(correspondencePolicy({ ...DEFAULT_POLICY, correspondence: { gatherMinutes: 2 } })).toEqual({
      gatherMinutes: 2,
    });
    expect(resolvePolicy({ correspondence: { gatherMinutes: 0.5 } }).correspondence).toEqual({
      gatherMinutes: 0.5,
    });
  });

  it('refuses a negative window, naming the field', () => {
    let fields: string[] = [];
    try {
      resolvePolicy({ correspondence: { gatherMinutes: -1 } });
    } catch (err) {
      if (err instanceof PolicyError) fields = err.fields.map((f) => f.path);
    }
    expect(fields).toEqual(['correspondence.gatherMinutes']);
  });
});

describe('the debtor-notices and salesperson-tasks templates', () => {
  const renderer = createMessageRenderer();
  const items = DEBTOR_NOTICE_STEPS.map((step, i) => item(`R-${i + 1}`, step, i * 7));
  const data = {
    company: { name: 'Acme' },
    counterparty: { id: 'CP-1', name: '华东经销商' },
    day: '2026-02-20',
    items,
    totals: [{ currency: 'CNY', outstandingMinor: 1_500_000 }],
    contact: { name: 'Wang Wei', email: 'wang@acme.test', phone: '+86 21 5555 0000' },
  };

  it('lists every item with its number, amounts, due date, days overdue and meaning (zh-CN)', async () => {
    const m = await renderer.render('debtor-notices', 'zh-CN', data);
    expect(m.subject).toBe('Acme：5 笔应收账款付款通知（2026-02-20）');
    for (const i of items) expect(m.text).toContain(i.receivableId);
    expect(m.text).toContain('¥5,000.00');
    expect(m.text).toContain('¥3,000.00');
    expect(m.text).toContain('2026-02-04');
    expect(m.text).toContain('未付合计：¥15,000.00');
    for (const meaning of ['付款提醒', '催款通知', '第二次催款通知', '欠款警告', '法律通知'])
      expect(m.text).toContain(meaning);
    expect(m.html).toMatch(/<table class="items"[ >]/);
    expect(m.templateVersion).toBe('shipped');
  });

  it('reads the same in English, one invoice in the subject when there is one', async () => {
    const m = await renderer.render('debtor-notices', 'en', { ...data, items: [items[3]] });
    expect(m.subject).toBe('Acme: payment notice for invoice R-4 (2026-02-20)');
    expect(m.text).toContain('Overdue warning');
    expect(m.text).toContain('2026-02-04');
    expect(m.text).toMatch(/R-4\s+¥5,000\.00\s+¥3,000\.00/);
  });

  it("lists the salesperson's tasks of the day", async () => {
    const tasks = ['phone-task', 'visit-task', 'late-reason-request'].map((s, i) => item(`R-${i + 1}`, s, i));
    const zh = await renderer.render('salesperson-tasks', 'zh-CN', {
      ...data,
      salesperson: { id: 'SP-1', name: '王伟' },
      items: tasks,
    });
    expect(zh.subject).toBe('Acme：2026-02-20 催收任务 3 项');
    for (const t of ['到期前电话联系客户', '上门拜访', '登记逾期原因', '华东经销商'])
      expect(zh.text).toContain(t);
    const en = await renderer.render('salesperson-tasks', 'en', {
      ...data,
      salesperson: { id: 'SP-1', name: 'Wang' },
      items: tasks,
    });
    expect(en.subject).toBe('Acme: 3 collection tasks for 2026-02-20');
    expect(en.text).toContain('Record why the invoice is late');
  });
});
