/**
 * SQL for the §7 reports, read from the receivables' PostgreSQL snapshots, their payments, the
 * counterparties and salespeople and the credit record. Every function takes `salespersonId`: null for
 * the whole company, an id for one salesperson's share. The arithmetic is in domain/reports.ts. Sums
 * are exact in PostgreSQL and answered saturated at 2^53 − 1 (domain/money.ts).
 */
import type { Pool, QueryResultRow } from 'pg';
import type { CalendarDate } from '../domain/calendar.js';
import { cappedSql } from '../domain/money.js';
import { OPEN_STAGES, PENDING_STAGES } from '../domain/receivable-stages.js';
import {
  type CollectedFigures,
  type DsoFigures,
  ESCALATION_STEPS,
  type EscalationFigures,
  type GradeCount,
  type MonthPeriod,
  type OutstandingByDueDate,
  type WrittenOffFigures,
} from '../domain/reports.js';

export type AgingBy = 'counterparty' | 'salesperson' | 'region';

const GROUP: Record<AgingBy, { key: string; name: string }> = {
  counterparty: { key: 'c.id', name: 'c.name' },
  salesperson: { key: 's.id', name: 's.name' },
  region: { key: 'c.region', name: 'c.region' },
};

/**
 * A receivable's outstanding at the end of day `day` (SQL expression), rebuilt from the facts: approved
 * amount − payments and discounts dated up to that day − the write-off if it happened by then.
 * `cleared` is the SQL for the payments' sum.
 */
const outstandingOn = (
  day: string,
  cleared: string,
) => `GREATEST(0, r.approved_minor - COALESCE(${cleared}, 0)
  - CASE WHEN r.stage = 'written-off' AND r.settled_on <= ${day} THEN r.written_off_minor ELSE 0 END)`;

/** The receivables that have been issued (approved with a due date). */
const ISSUED = 'r.approved_minor IS NOT NULL AND r.issue_date IS NOT NULL AND r.due_date IS NOT NULL';

/** A period table from month periods: `p(month, first, last)`, bound as $1–$3. */
const PERIODS = 'unnest($1::text[], $2::date[], $3::date[]) AS p(month, first, last)';
const periodParams = (periods: readonly MonthPeriod[]) => [
  periods.map((p) => p.month),
  periods.map((p) => p.first),
  periods.map((p) => p.last),
];

export interface CounterpartyUsageRow {
  id: string;
  name: string;
  kind: 'dealer' | 'customer';
  region: string;
  limitMinor: number;
  exposureMinor: number;
}

export interface SalespersonUsageRow {
  id: string;
  name: string;
  region: string;
  limitMinor: number | null;
  outstandingMinor: number;
}

/** Exposure as the automatic checks count it: open receivables' outstanding plus pending applications (saturated). */
const EXPOSURE =
  cappedSql(`COALESCE(SUM(CASE WHEN r.stage = ANY($1) THEN r.outstanding_minor ELSE r.requested_minor END)
  FILTER (WHERE r.stage = ANY($2)), 0)`);

export function createReportQueries(pool: Pool) {
  /**
   * One row per period (`p`: month, first, last) and the receivable's currency (`r`), for the receivables
   * of one salesperson or all: `join` brings in `r` and what `select` sums; `params` follow as $5, $6, ….
   */
  const perPeriodAndCurrency = async <T extends QueryResultRow>(
    periods: readonly MonthPeriod[],
    salespersonId: string | null,
    q: { select: string; join: string; groupBy?: string; params?: unknown[] },
  ): Promise<T[]> => {
    const groupBy = q.groupBy ?? '1, 2';
    const { rows } = await pool.query<T>(
      `SELECT p.month, r.currency, ${q.select}
         FROM ${PERIODS}
         ${q.join}
         WHERE $4::text IS NULL OR r.salesperson_id = $4
         GROUP BY ${groupBy} ORDER BY ${groupBy}`,
      [...periodParams(periods), salespersonId, ...(q.params ?? [])],
    );
    return rows;
  };

  return {
    /**
     * Outstanding on `asOf` of the receivables issued by then, summed per group, currency and due date
     * (the due date in force now: an agreed extension moves it).
     */
    async outstandingByDueDate(
      by: AgingBy,
      asOf: CalendarDate,
      salespersonId: string | null,
    ): Promise<OutstandingByDueDate[]> {
      const g = GROUP[by];
      const outstanding = outstandingOn('$1', 'pd.cleared');
      const { rows } = await pool.query<OutstandingByDueDate>(
        `SELECT ${g.key} AS key, ${g.name} AS name, r.currency, r.due_date AS "dueDate",
           ${cappedSql(`SUM(${outstanding})`)} AS "outstandingMinor"
         FROM receivables r
         JOIN counterparties c ON c.id = r.counterparty_id
         JOIN salespeople s ON s.id = r.salesperson_id
         LEFT JOIN (SELECT receivable_id, SUM(amount_minor + discount_minor) AS cleared
           FROM payments WHERE paid_on <= $1 GROUP BY receivable_id) pd ON pd.receivable_id = r.id
         WHERE ${ISSUED} AND r.issue_date <= $1 AND ($2::text IS NULL OR r.salesperson_id = $2)
         GROUP BY 1, 2, 3, 4
         HAVING SUM(${outstanding}) > 0
         ORDER BY 1, 3, 4`,
        [asOf, salespersonId],
      );
      return rows;
    },

    /** Per period and currency: receivables outstanding at the period's end, credit sales issued in it. */
    async dsoFigures(periods: readonly MonthPeriod[], salespersonId: string | null): Promise<DsoFigures[]> {
      const cleared = `(SELECT SUM(pm.amount_minor + pm.discount_minor) FROM payments pm
        WHERE pm.receivable_id = r.id AND pm.paid_on <= p.last)`;
      const { rows } = await pool.query<DsoFigures>(
        `SELECT p.month, r.currency,
           ${cappedSql(`COALESCE(SUM(${outstandingOn('p.last', cleared)}), 0)`)} AS "receivablesMinor",
           ${cappedSql('COALESCE(SUM(r.approved_minor) FILTER (WHERE r.issue_date >= p.first), 0)')} AS "creditSalesMinor"
         FROM ${PERIODS}
         JOIN receivables r ON ${ISSUED} AND r.issue_date <= p.last
           -- settled before the period: nothing outstanding in it, nothing sold in it
           AND (r.settled_on IS NULL OR r.settled_on >= p.first)
           AND ($4::text IS NULL OR r.salesperson_id = $4)
         GROUP BY 1, 2 ORDER BY 1, 2`,
        [...periodParams(periods), salespersonId],
      );
      return rows;
    },

    /** Counterparties per kind and grade (dealers) or class (customers); a salesperson's: those they sell to. */
    async gradeCounts(salespersonId: string | null): Promise<GradeCount[]> {
      const { rows } = await pool.query<GradeCount>(
        `SELECT c.kind, CASE WHEN c.kind = 'dealer' THEN c.credit_grade ELSE c.customer_class END AS grade,
           COUNT(*)::bigint AS count
         FROM counterparties c
         WHERE $1::text IS NULL
           OR EXISTS (SELECT 1 FROM receivables r WHERE r.counterparty_id = c.id AND r.salesperson_id = $1)
         GROUP BY 1, 2 ORDER BY 1, 2`,
        [salespersonId],
      );
      return rows;
    },

    /** Each counterparty's limit and exposure; a salesperson's: those they sell to (exposure of all their receivables). */
    async counterpartyUsage(salespersonId: string | null): Promise<CounterpartyUsageRow[]> {
      const { rows } = await pool.query<CounterpartyUsageRow>(
        `SELECT c.id, c.name, c.kind, c.region, c.credit_limit_minor AS "limitMinor", ${EXPOSURE} AS "exposureMinor"
         FROM counterparties c LEFT JOIN receivables r ON r.counterparty_id = c.id
         WHERE $3::text IS NULL
           OR EXISTS (SELECT 1 FROM receivables r2 WHERE r2.counterparty_id = c.id AND r2.salesperson_id = $3)
         GROUP BY c.id ORDER BY c.id`,
        [[...OPEN_STAGES], [...OPEN_STAGES, ...PENDING_STAGES], salespersonId],
      );
      return rows;
    },

    /** Each salesperson's limit (null: none set) and outstanding as the checks count it. */
    async salespersonUsage(salespersonId: string | null): Promise<SalespersonUsageRow[]> {
      const { rows } = await pool.query<SalespersonUsageRow>(
        `SELECT s.id, s.name, s.region, s.credit_limit_minor AS "limitMinor", ${EXPOSURE} AS "outstandingMinor"
         FROM salespeople s LEFT JOIN receivables r ON r.salesperson_id = s.id
         WHERE $3::text IS NULL OR s.id = $3
         GROUP BY s.id ORDER BY s.id`,
        [[...OPEN_STAGES], [...OPEN_STAGES, ...PENDING_STAGES], salespersonId],
      );
      return rows;
    },

    /**
     * Payments dated in each period, by the receivable's currency: collected, of which on time (paid on or
     * before the due date in force) and late, and the cash discount granted with them.
     */
    collected: (periods: readonly MonthPeriod[], salespersonId: string | null) =>
      perPeriodAndCurrency<CollectedFigures>(periods, salespersonId, {
        select: `${cappedSql('SUM(pm.amount_minor)')} AS "collectedMinor",
           ${cappedSql('COALESCE(SUM(pm.amount_minor) FILTER (WHERE pm.paid_on <= r.due_date), 0)')} AS "onTimeMinor",
           ${cappedSql('COALESCE(SUM(pm.amount_minor) FILTER (WHERE pm.paid_on > r.due_date), 0)')} AS "lateMinor",
           ${cappedSql('SUM(pm.discount_minor)')} AS "discountMinor"`,
        join: `JOIN payments pm ON pm.paid_on BETWEEN p.first AND p.last
         JOIN receivables r ON r.id = pm.receivable_id`,
      }),

    /** Bad debts written off in each period (on the write-off's date). */
    writtenOff: (periods: readonly MonthPeriod[], salespersonId: string | null) =>
      perPeriodAndCurrency<WrittenOffFigures>(periods, salespersonId, {
        select: `${cappedSql('SUM(r.written_off_minor)')} AS "writtenOffMinor"`,
        join: `JOIN receivables r ON r.stage = 'written-off' AND r.settled_on BETWEEN p.first AND p.last`,
      }),

    /**
     * Receivables that reached each escalation step in each period: the workflow's `step-<name>` credit
     * records, dated by when they were recorded, in the company's time zone.
     */
    escalations: (periods: readonly MonthPeriod[], timeZone: string, salespersonId: string | null) =>
      perPeriodAndCurrency<EscalationFigures>(periods, salespersonId, {
        select: `substr(cr.event_type, 6) AS step, COUNT(DISTINCT cr.subject_id)::bigint AS receivables`,
        join: `JOIN credit_records cr ON cr.subject_type = 'receivable' AND cr.event_type = ANY($6)
           AND (cr.recorded_at AT TIME ZONE $5)::date BETWEEN p.first AND p.last
         JOIN receivables r ON r.id = cr.subject_id`,
        groupBy: '1, 2, 3',
        params: [timeZone, ESCALATION_STEPS.map((s) => `step-${s}`)],
      }),
  };
}

export type ReportQueries = ReturnType<typeof createReportQueries>;
