/** The SQL behind creditflow's Prometheus metrics, read at scrape time. */
import type { Pool } from 'pg';
import type { CalendarDate } from '../domain/calendar.js';
import { CLOSED_STAGES } from '../domain/receivable-stages.js';

export function createMetricsQueries(pool: Pool) {
  return {
    /** Issued, still open receivables with something outstanding, totalled by due date. */
    async openReceivablesByDueDate(): Promise<
      { dueDate: CalendarDate; outstandingMinor: number; receivables: number }[]
    > {
      // float8: a metric is a float anyway, and a total beyond 2^53 must not fail the scrape.
      const { rows } = await pool.query<{
        dueDate: CalendarDate;
        outstandingMinor: number;
        receivables: number;
      }>(
        `SELECT due_date AS "dueDate", sum(outstanding_minor)::float8 AS "outstandingMinor", count(*)::int AS receivables
           FROM receivables
          WHERE due_date IS NOT NULL AND outstanding_minor > 0 AND stage <> ALL ($1::text[])
          GROUP BY due_date`,
        [CLOSED_STAGES],
      );
      return rows;
    },
  };
}
