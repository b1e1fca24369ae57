/**
 * Sample letters: a company, a debtor with three overdue receivables (two currencies), and a month's
 * statement, for the letter tests, `npm run bench` (letters per second) and `npm run letters:samples`
 * (the pictures in docs/images/). Fixed data: every run prints the same letters.
 */
import { buildStatement } from '../../domain/statement.js';
import { composeLetter } from './letters.js';
import type { MessageRenderer } from './render.js';

export const SAMPLE_COMPANY = {
  name: '华东机电设备有限公司',
  address: '浙江省杭州市西湖区文三路 88 号',
  contact: '电话 0571-8888 6666 · credit@huadong.example',
};
export const SAMPLE_COUNTERPARTY = {
  id: 'D-1001',
  name: '上海恒通贸易有限公司',
  address: '上海市浦东新区世纪大道 100 号 12 楼',
  contactName: '王建国',
};
export const SAMPLE_ITEMS = [
  {
    receivableId: 'R-2026-0012',
    issueDate: '2026-01-10',
    dueDate: '2026-02-09',
    amountMinor: 1_280_000,
    outstandingMinor: 980_050,
    currency: 'CNY',
    daysOverdue: 79,
  },
  {
    receivableId: 'R-2026-0031',
    issueDate: '2026-02-20',
    dueDate: '2026-03-22',
    amountMinor: 456_789,
    outstandingMinor: 456_789,
    currency: 'CNY',
    daysOverdue: 38,
  },
  {
    receivableId: 'R-2026-0040',
    issueDate: '2026-03-01',
    dueDate: '2026-03-31',
    amountMinor: 250_000,
    outstandingMinor: 120_000,
    currency: 'USD',
    daysOverdue: 29,
  },
];
export const SAMPLE_TOTALS = [
  { currency: 'CNY', outstandingMinor: 1_436_839 },
  { currency: 'USD', outstandingMinor: 120_000 },
];

export const SAMPLE_STATEMENT = buildStatement(
  '2026-04-01',
  '2026-04-30',
  [
    {
      id: 'R-2026-0012',
      currency: 'CNY',
      amountMinor: 1_280_000,
      issueDate: '2026-01-10',
      dueDate: '2026-02-09',
      stage: 'overdue',
      writtenOffMinor: 0,
      settledOn: null,
    },
    {
      id: 'R-2026-0055',
      currency: 'CNY',
      amountMinor: 333_300,
      issueDate: '2026-04-08',
      dueDate: '2026-05-08',
      stage: 'issued',
      writtenOffMinor: 0,
      settledOn: null,
    },
    {
      id: 'R-2026-0009',
      currency: 'CNY',
      amountMinor: 70_000,
      issueDate: '2026-01-02',
      dueDate: '2026-02-01',
      stage: 'written-off',
      writtenOffMinor: 70_000,
      settledOn: '2026-04-25',
    },
  ],
  [
    { receivableId: 'R-2026-0012', paidOn: '2026-03-15', amountMinor: 299_950, discountMinor: 0 },
    { receivableId: 'R-2026-0012', paidOn: '2026-04-18', amountMinor: 180_000, discountMinor: 1_500 },
  ],
);

export const SAMPLE_DEADLINE = '2026-05-12';

/** Sample letter `kind` (or the statement) in `language`, numbered CF-2026-<n>. */
export function sampleLetter(renderer: MessageRenderer, kind: string, language: string, n = 1) {
  const letterNumber = `CF-2026-${String(n).padStart(6, '0')}`;
  const who = { language, company: SAMPLE_COMPANY, counterparty: SAMPLE_COUNTERPARTY, letterNumber };
  return kind === 'statement'
    ? composeLetter(renderer, kind, { ...who, date: '2026-05-01' }, { ...SAMPLE_STATEMENT })
    : composeLetter(
        renderer,
        kind,
        { ...who, date: '2026-04-30' },
        { deadline: SAMPLE_DEADLINE, items: SAMPLE_ITEMS, totals: SAMPLE_TOTALS },
      );
}
