/**
 * SQL for the message templates' versions (migration 020): each (kind, language) has numbered
 * versions stored whole with who changed them and when; the version in force is the newest.
 * Parsing, validation and rendering are operations/correspondence's.
 */
import type { Actor } from '../domain/actor.js';
import { inTransaction, type Pool } from './db.js';

export interface TemplateVersionRow {
  kind: string;
  language: string;
  /** The version's number, as text ('1', '2' …): the shipped files are 'shipped'. */
  version: string;
  subject: string;
  body: string;
  changedBy: string;
  changedByActor: Actor;
  changedAt: string;
}

const COLUMNS = `kind, language, version::text AS version, subject, body, changed_by AS "changedBy",
  changed_by_actor AS "changedByActor", changed_at AS "changedAt"`;

type Raw = Omit<TemplateVersionRow, 'changedAt'> & { changedAt: Date };
const row = (r: Raw): TemplateVersionRow => ({ ...r, changedAt: r.changedAt.toISOString() });

export function createTemplateQueries(pool: Pool) {
  return {
    /** The version in force of a kind in a language (the newest), or undefined when none is stored. */
    async inForce(kind: string, language: string): Promise<TemplateVersionRow | undefined> {
      const { rows } = await pool.query<Raw>(
        `SELECT ${COLUMNS} FROM message_templates WHERE kind = $1 AND language = $2 ORDER BY version DESC LIMIT 1`,
        [kind, language],
      );
      return rows[0] && row(rows[0]);
    },

    /** The version in force of every (kind, language) stored. */
    async allInForce(): Promise<TemplateVersionRow[]> {
      const { rows } = await pool.query<Raw>(
        `SELECT DISTINCT ON (kind, language) ${COLUMNS} FROM message_templates
         ORDER BY kind, language, version DESC`,
      );
      return rows.map(row);
    },

    /** Stores a new version (the next number of the kind in the language) and returns it. */
    async insert(v: {
      kind: string;
      language: string;
      subject: string;
      body: string;
      changedBy: string;
      changedByActor: Actor;
    }): Promise<TemplateVersionRow> {
      return inTransaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `creditflow:template:${v.kind}:${v.language}`,
        ]);
        const { rows } = await client.query<Raw>(
          `INSERT INTO message_templates (kind, language, version, subject, body, changed_by, changed_by_actor)
           SELECT $1, $2, COALESCE(max(version), 0) + 1, $3, $4, $5, $6
             FROM message_templates WHERE kind = $1 AND language = $2
           RETURNING ${COLUMNS}`,
          [v.kind, v.language, v.subject, v.body, v.changedBy, JSON.stringify(v.changedByActor)],
        );
        return row(rows[0] as Raw);
      });
    },
  };
}

export type TemplateQueries = ReturnType<typeof createTemplateQueries>;
