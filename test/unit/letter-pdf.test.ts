/**
 * Formal letters and the statement as PDF: each letter kind in Chinese and English is a PDF whose
 * text (extracted with pdfjs-dist) holds the letterhead, the recipient, the letter number, the
 * kind's wording, the dates and every amount. (test/unit/letter-png.test.ts renders them to PNG.)
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../domain/format.js';
import { renderLetterPdf } from '../../operations/correspondence/letter-pdf.js';
import { LETTER_KINDS } from '../../operations/correspondence/letters.js';
import { createMessageRenderer } from '../../operations/correspondence/render.js';
import {
  SAMPLE_COMPANY as company,
  SAMPLE_COUNTERPARTY as counterparty,
  SAMPLE_ITEMS as items,
  sampleLetter,
  SAMPLE_STATEMENT as statement,
  SAMPLE_TOTALS as totals,
} from '../../operations/correspondence/samples.js';
import { compact, pdfText } from '../support/pdf.js';

const renderer = createMessageRenderer();

/** What each kind must say, in each language (its title and phrases of its body). */
const WORDING: Record<string, Record<'zh-CN' | 'en', string[]>> = {
  'letter-collection-notice': {
    'zh-CN': ['催款通知单', '已超过约定付款期限', '特此通知'],
    en: ['Payment Collection Notice', 'past their agreed payment terms'],
  },
  'letter-second-notice': {
    'zh-CN': ['二次催款通知', '再次郑重提请贵司', '暂停对贵司供货'],
    en: ['Second Notice of Overdue Payment', 'suspend deliveries'],
  },
  'letter-warning': {
    'zh-CN': ['客户欠款警告书', '特此向贵司发出警告', '冻结贵司的信用额度'],
    en: ['Warning Letter: Overdue Account', 'formal warning'],
  },
  'letter-legal-notice': {
    'zh-CN': ['法律催告函', '中华人民共和国民法典', '诉讼时效中断'],
    en: ['Formal Legal Demand for Payment', 'Civil Code', 'limitation period'],
  },
};

describe('formal letters as PDF', () => {
  let n = 0;
  for (const kind of LETTER_KINDS)
    for (const language of ['zh-CN', 'en'] as const)
      it(`${kind} in ${language}: letterhead, recipient, number, wording and every amount`, async () => {
        n += 1;
        const { pdf } = await sampleLetter(renderer, kind, language, n);
        expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
        const text = compact(await pdfText(pdf));
        for (const s of [
          company.name,
          company.address,
          counterparty.name,
          counterparty.address,
          counterparty.contactName,
        ])
          expect(text).toContain(compact(s));
        expect(text).toContain(`CF-2026-${String(n).padStart(6, '0')}`);
        for (const phrase of WORDING[kind]?.[language] ?? []) expect(text).toContain(compact(phrase));
        for (const i of items) {
          expect(text).toContain(i.receivableId);
          expect(text).toContain(formatMoney(i.amountMinor, i.currency, language));
          expect(text).toContain(formatMoney(i.outstandingMinor, i.currency, language));
        }
        for (const t of totals) expect(text).toContain(formatMoney(t.outstandingMinor, t.currency, language));
        // the deadline and the letter's date, as people write them
        expect(text).toContain(language === 'zh-CN' ? '2026年5月12日' : compact('12 May 2026'));
        expect(text).toContain(language === 'zh-CN' ? '2026年4月30日' : compact('30 April 2026'));
        expect(text).toContain(language === 'zh-CN' ? '信用管理部' : compact('Credit Control Department'));
      });
});

describe('the statement of account as PDF', () => {
  for (const language of ['zh-CN', 'en'] as const)
    it(`in ${language}: every balance, movement and open item`, async () => {
      const { pdf } = await sampleLetter(renderer, 'statement', language);
      const text = compact(await pdfText(pdf));
      expect(text).toContain(language === 'zh-CN' ? '对账单' : compact('Statement of Account'));
      expect(text).toContain(language === 'zh-CN' ? '期初余额' : compact('Opening balance'));
      expect(text).toContain(language === 'zh-CN' ? '逾期30天以上' : compact('Over 30 days'));
      expect(text).toContain(language === 'zh-CN' ? '坏账核销' : compact('Written off'));
      const cny = statement.currencies[0];
      // 1,280,000 − 299,950 paid in March, plus 70,000 written off on 25 April
      expect(cny).toMatchObject({
        openingMinor: 1_050_050,
        invoicedMinor: 333_300,
        paidMinor: 180_000,
        discountMinor: 1_500,
        writtenOffMinor: 70_000,
        closingMinor: 1_131_850,
      });
      if (!cny) return;
      for (const minor of [
        cny.openingMinor,
        cny.invoicedMinor,
        cny.paidMinor,
        cny.discountMinor,
        cny.writtenOffMinor,
        cny.closingMinor,
        ...statement.movements.map((m) => m.debitMinor || m.creditMinor),
        ...statement.openItems.flatMap((i) => [i.amountMinor, i.outstandingMinor]),
      ])
        expect(text).toContain(formatMoney(minor, 'CNY', language));
      for (const i of statement.openItems) expect(text).toContain(i.receivableId);
    });
});

describe('the company seal', () => {
  const letter = (sealImagePath: string) =>
    renderLetterPdf({
      language: 'zh-CN',
      letterhead: { name: company.name, sealImagePath },
      recipient: { name: counterparty.name },
      letterNumber: 'CF-2026-000999',
      date: '2026-04-30',
      title: '催款通知单',
      bodyHtml: '<p>请付款。</p>',
      signature: { name: '信用管理部' },
    });

  it('is printed over the signature when the setting names a PNG', async () => {
    const pdf = await letter(path.resolve(import.meta.dirname, '../../docs/images/sample-seal.png'));
    expect(pdf.includes('/Subtype /Image')).toBe(true);
    expect(compact(await pdfText(pdf))).toContain('信用管理部');
  });

  it('is left out, the letter still sent, when the file cannot be read', async () => {
    const pdf = await letter('/nonexistent/seal.png');
    expect(pdf.includes('/Subtype /Image')).toBe(false);
    expect(compact(await pdfText(pdf))).toContain('请付款');
  });
});
