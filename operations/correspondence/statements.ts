/**
 * Statements of account (对账单): a counterparty's statement for a period as JSON, CSV and PDF, the
 * same for GET /v1/counterparties/:id/statement and the monthly run. The SQL is store/statements.ts,
 * the arithmetic domain/statement.ts; the wording is the `statement` template (and `statement-mail`
 * for the e-mail that carries it).
 */
import type { CalendarDate } from '../../domain/calendar.js';
import { type CsvColumn, toCsv } from '../../domain/csv.js';
import { buildStatement, type Statement } from '../../domain/statement.js';
import type { CounterpartyRow } from '../../store/counterparties.js';
import type { Store } from '../../store/index.js';
import { composeLetter, type Letterhead, letterData } from './letters.js';
import type { MessageRenderer } from './render.js';

/** One CSV row: a balance, a movement or an open item. */
interface StatementCsvRow {
  record: 'opening' | 'invoice' | 'payment' | 'discount' | 'write-off' | 'closing' | 'open-item';
  date: string | null;
  receivableId: string | null;
  currency: string;
  amountMinor: number | null;
  debitMinor: number | null;
  creditMinor: number | null;
  balanceMinor: number | null;
  issueDate: string | null;
  dueDate: string | null;
  daysOverdue: number | null;
  agingBucket: string | null;
}

const STATEMENT_CSV: readonly CsvColumn<StatementCsvRow>[] = [
  { header: 'record', value: (r) => r.record },
  { header: 'date', value: (r) => r.date },
  { header: 'receivable_id', value: (r) => r.receivableId },
  { header: 'currency', value: (r) => r.currency },
  { header: 'amount_minor', value: (r) => r.amountMinor },
  { header: 'debit_minor', value: (r) => r.debitMinor },
  { header: 'credit_minor', value: (r) => r.creditMinor },
  { header: 'balance_minor', value: (r) => r.balanceMinor },
  { header: 'issue_date', value: (r) => r.issueDate },
  { header: 'due_date', value: (r) => r.dueDate },
  { header: 'days_overdue', value: (r) => r.daysOverdue },
  { header: 'aging_bucket', value: (r) => r.agingBucket },
];

const EMPTY = {
  date: null,
  receivableId: null,
  amountMinor: null,
  debitMinor: null,
  creditMinor: null,
  balanceMinor: null,
  issueDate: null,
  dueDate: null,
  daysOverdue: null,
  agingBucket: null,
};

/**
 * The statement as CSV: the opening balance of each currency, the period's movements, the closing
 * balance of each currency, then the open items with their aging. Money in minor units.
 */
export function statementCsv(s: Statement): string {
  const rows: StatementCsvRow[] = [
    ...s.currencies.map((c) => ({
      ...EMPTY,
      record: 'opening' as const,
      date: s.from,
      currency: c.currency,
      balanceMinor: c.openingMinor,
    })),
    ...s.movements.map((m) => ({
      ...EMPTY,
      record: m.kind,
      date: m.date,
      receivableId: m.receivableId,
      currency: m.currency,
      debitMinor: m.debitMinor,
      creditMinor: m.creditMinor,
    })),
    ...s.currencies.map((c) => ({
      ...EMPTY,
      record: 'closing' as const,
      date: s.to,
      currency: c.currency,
      balanceMinor: c.closingMinor,
    })),
    ...s.openItems.map((i) => ({
      ...EMPTY,
      record: 'open-item' as const,
      date: s.to,
      receivableId: i.receivableId,
      currency: i.currency,
      amountMinor: i.amountMinor,
      balanceMinor: i.outstandingMinor,
      issueDate: i.issueDate,
      dueDate: i.dueDate,
      daysOverdue: i.daysOverdue,
      agingBucket: i.bucket,
    })),
  ];
  return toCsv(STATEMENT_CSV, rows);
}

/** The key a statement's letter number is assigned to: the same period's statement keeps its number. */
export const statementKey = (counterpartyId: string, from: CalendarDate, to: CalendarDate) =>
  `statement:${counterpartyId}:${from}:${to}`;

export interface StatementDocument {
  counterparty: CounterpartyRow;
  statement: Statement;
}

export function createStatements(deps: {
  store: Store;
  renderer: MessageRenderer;
  company: Letterhead;
  /** The debtor's own page its statement's e-mail links to (operations/portal.ts); none when unset. */
  portalLinkFor?: (counterpartyId: string) => Promise<string>;
}) {
  const { store, renderer, company } = deps;
  const recipient = (c: CounterpartyRow) => ({
    id: c.id,
    name: c.name,
    address: c.address,
    contactName: c.contactName,
  });
  return {
    /** The counterparty's statement for `from`–`to`; undefined when there is no such counterparty. */
    async build(
      counterpartyId: string,
      from: CalendarDate,
      to: CalendarDate,
    ): Promise<StatementDocument | undefined> {
      const counterparty = await store.counterparties.get(counterpartyId);
      if (!counterparty) return undefined;
      const facts = await store.statements.facts(counterpartyId, from, to);
      return { counterparty, statement: buildStatement(from, to, facts.receivables, facts.payments) };
    },

    /** The statement's letter number: assigned once per counterparty and period. */
    number: (d: StatementDocument, date: CalendarDate) =>
      store.letters.assign(statementKey(d.counterparty.id, d.statement.from, d.statement.to), {
        year: Number(date.slice(0, 4)),
        kind: 'statement',
        counterpartyId: d.counterparty.id,
      }),

    csv: (d: StatementDocument) => statementCsv(d.statement),

    /** The statement as a PDF letter in the counterparty's language, dated `date`. */
    async pdf(d: StatementDocument, letterNumber: string, date: CalendarDate) {
      const { statement } = d;
      const composed = await composeLetter(
        renderer,
        'statement',
        {
          language: d.counterparty.language,
          company,
          counterparty: recipient(d.counterparty),
          letterNumber,
          date,
        },
        { ...statement },
      );
      return { subject: composed.rendered.subject, pdf: composed.pdf };
    },

    /** The e-mail that carries the statement: the `statement` kind's subject, the `statement-mail` body. */
    async mail(d: StatementDocument, letterNumber: string, date: CalendarDate) {
      const data = letterData(
        {
          language: d.counterparty.language,
          company,
          counterparty: recipient(d.counterparty),
          letterNumber,
          date,
        },
        {
          ...d.statement,
          ...(deps.portalLinkFor ? { portalLink: await deps.portalLinkFor(d.counterparty.id) } : {}),
        },
      );
      const [statement, mail] = await Promise.all([
        renderer.render('statement', d.counterparty.language, data),
        renderer.render('statement-mail', d.counterparty.language, data),
      ]);
      return { subject: statement.subject, html: mail.html, text: mail.text };
    },
  };
}

export type Statements = ReturnType<typeof createStatements>;
