/**
 * The renderer (operations/correspondence/render.ts): the one formatter's filters in the render's
 * language, the stored version in force before the shipped file, the default language when a kind
 * has no template in the language, styles inlined, the plain-text part, and LiquidJS kept to what an
 * end user's template may do.
 */
import { describe, expect, it } from 'vitest';
import { KINDS, kindOf, RECEIVABLE_SAMPLE, unknownVariables } from '../../operations/correspondence/kinds.js';
import {
  createMessageRenderer,
  parseTemplate,
  type StoredTemplates,
  TemplateError,
  type TemplateVersion,
  variablesOf,
} from '../../operations/correspondence/render.js';

const sample = RECEIVABLE_SAMPLE as unknown as Record<string, unknown>;
const draft = (body: string, subject = 'S'): TemplateVersion => ({ subject, body, version: 'draft' });
const renderer = createMessageRenderer();
const body = async (tpl: string, language = 'zh-CN', data: Record<string, unknown> = sample) =>
  (await renderer.renderTemplate('payment-reminder', language, draft(tpl), data)).body;

/** Stored versions held in memory: `versions[kind|language]`, the last one in force. */
function memoryStore(): StoredTemplates & { put(kind: string, language: string, t: TemplateVersion): void } {
  const held = new Map<string, TemplateVersion>();
  return {
    put: (kind, language, t) => held.set(`${kind}|${language}`, t),
    inForce: async (kind, language) => held.get(`${kind}|${language}`),
  };
}

describe('filters: the one formatter, in the language of the render', () => {
  it('money: the currency from the data, never a sign from the template', async () => {
    expect(await body('{{ 500000 | money: "CNY" }}')).toBe('¥5,000.00');
    expect(await body('{{ 500000 | money: "CNY" }}', 'en')).toBe('¥5,000.00');
    expect(await body('{{ amountMinor | money: currency }}', 'en', { ...sample, currency: 'USD' })).toBe(
      '$123,456.78',
    );
    expect(await body('{{ 123456 | money: "JPY" }}')).toBe('JP¥123,456');
    expect(await body('{{ -5 | money: "CNY" }}')).toBe('-¥0.05');
  });

  it('percent (basis points), days, day, datetime, add_days', async () => {
    expect(await body('{{ 150 | percent }} {{ 100 | percent }} {{ 25 | percent }}')).toBe('1.5% 1% 0.25%');
    expect(await body('{{ 16 | days }}')).toBe('16 天');
    expect(await body('{{ 16 | days }} / {{ 1 | days }}', 'en')).toBe('16 days / 1 day');
    expect(await body('{{ "2026-12-01" | day }}')).toBe('2026-12-01');
    // An instant on the company's wall clock (Asia/Shanghai unless the data names a time zone).
    expect(await body('{{ "2026-12-01T01:30:00Z" | datetime }}')).toBe('2026-12-01 09:30');
    expect(await body('{{ "2026-12-01T01:30:00Z" | datetime: "UTC" }}')).toBe('2026-12-01 01:30');
    expect(await body('{{ "2026-12-01" | add_days: 30 }}')).toBe('2026-12-31');
  });

  it('escapes every value; only action_link and mailto write links, and only safe ones', async () => {
    const data = { ...sample, counterpartyName: '<script>x</script> & "Co"' };
    expect(await body('{{ counterpartyName }}', 'en', data)).toBe(
      '&lt;script&gt;x&lt;/script&gt; &amp; &quot;Co&quot;',
    );
    expect(await body('{{ actionUrl | action_link: "Open" }}')).toBe(
      '<a class="button" href="https://creditflow.example/receivables/R-1">Open</a>',
    );
    expect(await body('{{ "javascript:alert(1)" | action_link: "Open" }}', 'en')).toBe(
      'Open: javascript:alert(1)',
    );
    expect(await body('{{ "a@b.test" | mailto }}')).toBe('<a href="mailto:a@b.test">a@b.test</a>');
    expect(await body('{{ "a\\"><b>@b.test" | mailto }}')).not.toContain('<b>');
  });
});

describe('LiquidJS for templates end users edit', () => {
  it('an unknown filter and a syntax error are errors naming the field and the line', () => {
    expect(() => parseTemplate({ subject: 'x', body: '<p>\n{{ amountMinor | dollars }}</p>' })).toThrow(
      TemplateError,
    );
    try {
      parseTemplate({ subject: 'x', body: '<p>a</p>\n<p>{% if dueDate %}b</p>' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TemplateError);
      expect((err as TemplateError).field).toBe('body');
      expect((err as TemplateError).line).toBe(2);
    }
    expect(() => parseTemplate({ subject: '{{ x', body: '' })).toThrow(/subject/);
  });

  it('reads no file: include, render and layout are refused', () => {
    for (const tag of ["{% include 'x' %}", "{% render '/etc/passwd' %}", "{% layout 'x' %}"])
      expect(() => parseTemplate({ subject: 'x', body: tag })).toThrow(/not allowed/);
  });

  it('a runaway template stops at the memory limit instead of holding the worker', async () => {
    await expect(body('{% for i in (1..100000000) %}{{ i }}{% endfor %}')).rejects.toThrow(/limit/);
    await expect(
      body(
        '{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}',
      ),
    ).rejects.toThrow(/limit/);
  });

  it('names the variables a template reads that its kind does not offer', () => {
    const parsed = parseTemplate({
      subject: '{{ receivableId }}',
      body: '{{ contact.name }} {{ contact.fax }} {{ debtor }} {% for f in recommendation.findings %}{{ f }}{% endfor %} {{ recommendation.findings.size }}',
    });
    const kind = kindOf('payment-reminder');
    if (!kind) throw new Error('payment-reminder is a kind');
    expect(
      unknownVariables(
        kind,
        variablesOf(parsed).map((v) => v.path),
      ),
    ).toEqual(['contact.fax', 'debtor']);
  });

  it('every shipped template reads only variables its kind offers', async () => {
    for (const k of KINDS)
      for (const language of ['zh-CN', 'en']) {
        const t = await renderer.templateFor(k.kind, language).catch(() => undefined);
        if (!t) continue;
        expect(
          unknownVariables(
            k,
            variablesOf(parseTemplate(t)).map((v) => v.path),
          ),
          `${k.kind} ${language}`,
        ).toEqual([]);
      }
  });
});

describe('the e-mail: layout, inlined styles, plain text', () => {
  it('sets the body in the layout with its styles inlined and no style element left', async () => {
    const m = await renderer.render('overdue-warning-letter', 'en', sample);
    expect(m.html).toMatch(/^<!DOCTYPE html>/);
    expect(m.html).toContain('<html lang="en">');
    expect(m.html).not.toContain('<style');
    expect(m.html).toMatch(
      /<h1 class="warning" style="[^"]*color: #cf222e;[^"]*">Formal warning: overdue account<\/h1>/,
    );
    expect(m.html).toMatch(/<th style="[^"]*width: 36%;[^"]*">Amount overdue<\/th>/);
    expect(m.html).toContain(`<title>${m.subject}</title>`);
    // The body alone (what a PDF letter prints): no layout.
    expect(m.body).toMatch(/^<h1 class="warning">/);
    expect(m.body).not.toContain('<html');
    expect(m.templateVersion).toBe('shipped');
  });

  it('writes the plain-text part from the body: facts as label and value, links after a colon', async () => {
    const m = await renderer.render('approval-request', 'zh-CN', sample);
    expect(m.text.startsWith('客户应收帐款申请表（待审批）\n\n财务部、市场部各位审批人：\n')).toBe(true);
    expect(m.text).toContain('\n  申请金额：¥123,456.78\n');
    expect(m.text).toContain('\n  - amount exceeds 80% of available limit\n');
    expect(m.text).toContain('前往审批：https://creditflow.example/receivables/R-1');
    expect(m.text).toContain('李娜（电话：+86 21 5555 0100；邮箱：li.na@acme.example）');
    expect(m.text).not.toMatch(/<[a-z]/);
    const en = await renderer.render('approval-request', 'en', sample);
    expect(en.text).toContain('\n  Amount requested: ¥123,456.78\n');
  });

  it('keeps the subject on one line', async () => {
    const m = await renderer.render('payment-reminder', 'en', { ...sample, companyName: 'Acme\r\nBcc: x@y' });
    expect(m.subject).toBe('[Acme Bcc: x@y] Payment reminder: invoice R-1 due 2026-12-01');
  });
});

describe('which template renders', () => {
  it('the stored version in force before the shipped file, the next one as soon as it is stored', async () => {
    const stored = memoryStore();
    const r = createMessageRenderer({ stored });
    expect((await r.render('payment-reminder', 'en', sample)).templateVersion).toBe('shipped');
    stored.put('payment-reminder', 'en', {
      subject: 'v1 {{ receivableId }}',
      body: '<p>one</p>',
      version: '1',
    });
    const one = await r.render('payment-reminder', 'en', sample);
    expect(one).toMatchObject({ subject: 'v1 R-1', templateVersion: '1', text: 'one\n' });
    stored.put('payment-reminder', 'en', {
      subject: 'v2 {{ receivableId }}',
      body: '<p>two</p>',
      version: '2',
    });
    expect(await r.render('payment-reminder', 'en', sample)).toMatchObject({
      subject: 'v2 R-1',
      templateVersion: '2',
    });
    // The other language still reads its own (shipped) template.
    expect((await r.render('payment-reminder', 'zh-CN', sample)).templateVersion).toBe('shipped');
  });

  it('a language without a template of the kind falls back to zh-CN (stored, else shipped)', async () => {
    const stored = memoryStore();
    const r = createMessageRenderer({ stored });
    const fr = await r.render('payment-reminder', 'fr', sample);
    expect(fr.subject).toBe('[Acme] 付款提醒：应收帐款 R-1 将于 2026-12-01 到期');
    expect(fr.html).toContain('<html lang="zh-CN">');
    stored.put('payment-reminder', 'fr', {
      subject: 'Rappel {{ receivableId }}',
      body: '<p>{{ 150 | percent }}</p>',
      version: '1',
    });
    const own = await r.render('payment-reminder', 'fr', sample);
    expect(own.subject).toBe('Rappel R-1');
    expect(own.text).toBe(
      `${new Intl.NumberFormat('fr', { style: 'percent', maximumFractionDigits: 2 }).format(0.015)}\n`,
    );
    stored.put('supply-resumed', 'zh-CN', {
      subject: '恢复 {{ counterpartyName }}',
      body: '<p>x</p>',
      version: '3',
    });
    expect(await r.render('supply-resumed', 'fr', sample)).toMatchObject({
      subject: '恢复 华东商贸有限公司',
      templateVersion: '3',
    });
  });

  it('a stored version that fails on real data falls back to the shipped file, with a warning', async () => {
    const stored = memoryStore();
    const warned: string[] = [];
    const r = createMessageRenderer({ stored, warn: (m) => warned.push(m) });
    stored.put('payment-reminder', 'en', {
      subject: 'x',
      body: '<p>{{ gradeAfter | money: currency }}</p>',
      version: '4',
    });
    const m = await r.render('payment-reminder', 'en', sample);
    expect(m).toMatchObject({
      templateVersion: 'shipped',
      subject: '[Acme] Payment reminder: invoice R-1 due 2026-12-01',
    });
    expect(warned).toEqual([expect.stringContaining('template payment-reminder en version 4 failed')]);
  });

  it('an unknown kind is refused, and a kind checks its data before its template runs', async () => {
    await expect(renderer.render('no-such-kind', 'en', {})).rejects.toThrow(/unknown template kind/);
    await expect(
      renderer.render('payment-reminder', 'en', { ...sample, dueDate: undefined }),
    ).rejects.toThrow('payment-reminder needs data.dueDate');
  });
});
