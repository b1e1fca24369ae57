/**
 * The monthly statements' activities: the counterparties with open items a page at a time, and
 * each one's statement of last month e-mailed with its PDF and CSV attached, once per counterparty
 * and month (effect key): a retried activity or a re-run of the month sends nothing twice.
 */
import { localDate } from '../../domain/calendar.js';
import type { Policy } from '../../domain/policy.js';
import { previousMonthPeriod } from '../../domain/statement.js';
import type { Mailer } from '../../infra/mail.js';
import { readPolicyInForce } from '../../infra/policy.js';
import type { Letterhead } from '../../operations/correspondence/letters.js';
import { createMessageRenderer, type MessageRenderer } from '../../operations/correspondence/render.js';
import { createStatements } from '../../operations/correspondence/statements.js';
import type { Operations } from '../../operations/index.js';
import type { Store } from '../../store/index.js';
import { statementMailKey } from '../../workflows/statements/contract.js';
import { mapConcurrently } from '../shared/concurrency.js';

export interface StatementActivityDeps {
  store: Store;
  mailer: Mailer;
  company: Letterhead;
  /** Renders the statement's wording (default: the stored templates in force, else the shipped). */
  renderer?: MessageRenderer;
  /** Gives the debtor's own page the e-mail links to (operations.portal); none when unset. */
  operations?: Pick<Operations, 'portal'>;
}

/** The first and last day of month 'YYYY-MM'. */
export function monthPeriod(month: string): { from: string; to: string } {
  return previousMonthPeriod(`${nextMonth(month)}-01`);
}
const nextMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};

export type SendOutcome = 'sent' | 'already-sent' | 'no-open-items' | 'unknown';

export function createStatementActivities(deps: StatementActivityDeps) {
  const { store, mailer } = deps;
  const portal = deps.operations?.portal;
  const statements = createStatements({
    store,
    renderer: deps.renderer ?? createMessageRenderer({ stored: store.templates }),
    company: deps.company,
    ...(portal ? { portalLinkFor: (id: string) => portal.portalLinkFor(id) } : {}),
  });

  /** One counterparty's statement of `month`, sent once (its effect key). */
  async function sendOne(counterpartyId: string, month: string, date: string): Promise<SendOutcome> {
    const { from, to } = monthPeriod(month);
    const doc = await statements.build(counterpartyId, from, to);
    if (!doc) return 'unknown';
    if (!doc.statement.openItems.length) return 'no-open-items';
    const key = statementMailKey(counterpartyId, month);
    let ran = false;
    await store.effects.once(key, 'statement', null, async () => {
      ran = true;
      // The number is the same for the same period however often it is asked for.
      const letterNumber = await statements.number(doc, date);
      const [{ pdf }, mail] = await Promise.all([
        statements.pdf(doc, letterNumber, date),
        statements.mail(doc, letterNumber, date),
      ]);
      const name = `statement-${counterpartyId}-${month}`;
      const { messageId } = await mailer.send({
        to: [doc.counterparty.email],
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        effectKey: key,
        kind: 'statement',
        attachments: [
          { filename: `${name}.pdf`, content: pdf, contentType: 'application/pdf' },
          {
            filename: `${name}.csv`,
            content: Buffer.from(statements.csv(doc), 'utf8'),
            contentType: 'text/csv; charset=utf-8',
          },
        ],
      });
      return { messageId, letterNumber };
    });
    return ran ? 'sent' : 'already-sent';
  }

  return {
    /** The policy version in force now, for a scheduled run (its schedule carries none). */
    policyInForce: (): Promise<Policy> => readPolicyInForce(store.pool),

    /** Today in the company's time zone (a letter's date). */
    statementDate: async (a: { timeZone: string }): Promise<string> => localDate(Date.now(), a.timeZone),

    /**
     * The next page of counterparties to send `month`'s statement: those with an item open at the
     * month's end, by id after `after`; or the next of the named ones.
     */
    async statementRecipients(a: {
      month: string;
      after: string;
      limit: number;
      counterpartyIds?: string[];
    }): Promise<string[]> {
      if (a.counterpartyIds)
        return [...a.counterpartyIds]
          .sort()
          .filter((id) => id > a.after)
          .slice(0, a.limit);
      return store.statements.withOpenItems(monthPeriod(a.month).to, a.after, a.limit);
    },

    /** Sends a page's statements, `concurrency` at a time; how many were sent and skipped. */
    async sendStatements(a: {
      month: string;
      date: string;
      counterpartyIds: string[];
      concurrency: number;
    }): Promise<{ sent: number; skipped: number }> {
      const outcomes = await mapConcurrently(a.counterpartyIds, a.concurrency, (id) =>
        sendOne(id, a.month, a.date),
      );
      return {
        sent: outcomes.filter((o) => o === 'sent').length,
        skipped: outcomes.filter((o) => o === 'no-open-items' || o === 'unknown').length,
      };
    },
  };
}

export type StatementActivities = ReturnType<typeof createStatementActivities>;
