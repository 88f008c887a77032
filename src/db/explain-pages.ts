import { randomBytes } from 'node:crypto';
import {
  countPendingRequests,
  listDocumentRequests,
  listSentDocuments,
} from './repositories/documents.ts';
import { recordAccess } from './repositories/access-log.ts';
import { benefitsPaid } from './repositories/attestations.ts';
import { declarationCycleOf, findDeclaration } from './repositories/declarations.ts';
import { demarchesInProgress } from './repositories/demarches-in-progress.ts';
import { listDemarches } from './repositories/demarches-list.ts';
import { findDossiersOfPerson, listMembers } from './repositories/dossiers.ts';
import { listHousehold, openDemarches } from './repositories/household.ts';
import { countUnreadLetters, listLetters } from './repositories/letters.ts';
import { readMaintenance } from './repositories/maintenance.ts';
import { latestPayments, paymentsBetween } from './repositories/payments.ts';
import { findPersonById } from './repositories/persons.ts';
import { touchLiveSession } from './repositories/sessions.ts';
import type { Pool, Queryable } from './pool.ts';

/**
 * `EXPLAIN` of what every personal page runs (issue 12: no sequential scan on a large table at a
 * million households). Shown by `npm run seed -- --explain`; checked by
 * test/integration/explain-pages.test.ts.
 */

/** Whom the statements are run for: an account holder, allocataire of a dossier, from the database. */
export interface ExplainSample {
  readonly personId: string;
  readonly dossierId: string;
  readonly sessionHash: Buffer;
  readonly today: string;
}

/**
 * One entry of the list: a statement with its parameters, or a repository call whose every
 * statement is explained (it runs for real, in a transaction rolled back at the end, so that a
 * call made of several statements gets the rows it expects).
 */
export type PageStatement =
  | {
      readonly name: string;
      readonly sql: string;
      readonly params: (s: ExplainSample) => unknown[];
    }
  | { readonly name: string; readonly run: (db: Queryable, s: ExplainSample) => Promise<unknown> };

const household = { kind: 'household' } as const;

/** Add a page's statement here: a name, then the repository call (or the SQL and its parameters). */
export const PAGE_STATEMENTS: readonly PageStatement[] = [
  // Every request of the personal area (ADR 0001, ADR 0012), then the guard's look-up.
  {
    name: 'session: check and touch',
    run: (db, s) => touchLiveSession(db, s.sessionHash, s.personId, 1_800_000),
  },
  { name: 'maintenance', run: (db) => readMaintenance(db) },
  { name: 'dossiers of the person', run: (db, s) => findDossiersOfPerson(db, s.personId) },
  // /mon-compte
  { name: 'person', run: (db, s) => findPersonById(db, s.personId) },
  { name: 'members', run: (db, s) => listMembers(db, s.dossierId) },
  { name: 'household', run: (db, s) => listHousehold(db, s.dossierId, new Date()) },
  { name: 'open démarches', run: (db, s) => openDemarches(db, s.dossierId) },
  {
    name: 'démarches in progress',
    run: (db, s) => demarchesInProgress(db, s.dossierId, s.personId, { household: true, limit: 5 }),
  },
  { name: 'latest payments', run: (db, s) => latestPayments(db, s.dossierId) },
  {
    name: 'documents asked for',
    run: (db, s) => countPendingRequests(db, s.dossierId, null),
  },
  { name: 'declaration cycle', run: (db, s) => declarationCycleOf(db, s.dossierId) },
  {
    name: 'declaration of the quarter',
    run: (db, s) => findDeclaration(db, s.dossierId, `${s.today.slice(0, 7)}-01`),
  },
  {
    name: 'unread letters',
    run: (db, s) => countUnreadLetters(db, s.dossierId, s.personId, household),
  },
  {
    name: 'access log',
    run: (db, s) =>
      recordAccess(db, {
        sessionHash: s.sessionHash,
        personId: s.personId,
        dossierId: s.dossierId,
        categories: ['identite'],
        route: '/mon-compte',
      }),
  },
  // /mon-compte/paiements: 24 months.
  {
    name: 'payments, 24 months',
    run: (db, s) =>
      paymentsBetween(db, s.dossierId, {
        from: `${String(Number(s.today.slice(0, 4)) - 2)}${s.today.slice(4, 7)}-01`,
        before: s.today,
      }),
  },
  { name: 'benefits paid (attestations)', run: (db, s) => benefitsPaid(db, s.dossierId) },
  // /mon-compte/courriers, /mon-compte/demarches, /mon-compte/documents
  { name: 'letters', run: (db, s) => listLetters(db, s.dossierId, s.personId, household) },
  { name: 'démarches', run: (db, s) => listDemarches(db, s.dossierId, null) },
  { name: 'documents asked', run: (db, s) => listDocumentRequests(db, s.dossierId, null) },
  { name: 'documents sent', run: (db, s) => listSentDocuments(db, s.dossierId, null) },
];

export interface ExplainedStatement {
  readonly name: string;
  readonly sql: string;
  /** The plan's nodes, e.g. "Index Scan on payments using payments_dossier_paid_on". */
  readonly nodes: readonly string[];
  /** Sequential scans of tables of at least `largeRows` rows (by the planner's statistics). */
  readonly seqScans: readonly string[];
}

/** The table of one row read by primary key `WHERE id` (migration 018). */
const ONE_ROW = 'maintenance';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** The household explained when none is named: the most recent allocataire with an account. */
export async function pickSample(db: Queryable): Promise<ExplainSample> {
  const r = await db.query<{ person_id: string; dossier_id: string; today: string }>(
    `SELECT m.person_id, m.dossier_id, current_date::text AS today
       FROM dossier_members m JOIN accounts a ON a.person_id = m.person_id
      WHERE m.role = 'allocataire'
      ORDER BY m.dossier_id DESC LIMIT 1`,
  );
  const row = r.rows[0];
  if (!row) throw new Error('Aucun allocataire avec un compte dans la base : lancez npm run seed.');
  return {
    personId: row.person_id,
    dossierId: row.dossier_id,
    sessionHash: randomBytes(32),
    today: row.today,
  };
}

/**
 * Runs `EXPLAIN (FORMAT JSON)` on each statement of `statements` for `sample` (or the latest
 * allocataire), inside a transaction rolled back at the end: nothing is written.
 */
export async function explainPages(
  pool: Pool,
  options: {
    statements?: readonly PageStatement[];
    sample?: ExplainSample;
    /** A table is large from this many rows (planner's estimate); default 10,000. */
    largeRows?: number;
    /**
     * Plans made with enable_seqscan = off, every table counted as large (but the one-row
     * `maintenance`): a sequential scan left means no index serves the statement — a table the
     * seed leaves small (sessions, démarches, documents…) would be scanned once it grows.
     */
    indexesOnly?: boolean;
  } = {},
): Promise<ExplainedStatement[]> {
  const largeRows = options.indexesOnly ? 0 : (options.largeRows ?? 10_000);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const sample = options.sample ?? (await pickSample(client));
    if (options.indexesOnly) await client.query('SET LOCAL enable_seqscan = off');
    const sizes = await client.query<{ name: string; rows: number }>(
      `SELECT c.relname AS name, c.reltuples::float8 AS rows FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'r'`,
    );
    const rows = new Map(sizes.rows.map((s) => [s.name, s.rows]));
    const explained: ExplainedStatement[] = [];
    const explain = async (name: string, sql: string, params: unknown[]) => {
      const r = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
        `EXPLAIN (FORMAT JSON) ${sql}`,
        params,
      );
      const plan = r.rows[0]?.['QUERY PLAN'][0]?.Plan;
      const nodes: string[] = [];
      const seqScans: string[] = [];
      const walk = (node: PlanNode) => {
        const relation = node['Relation Name'];
        nodes.push(
          `${node['Node Type']}${relation ? ` on ${relation}` : ''}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}`,
        );
        if (
          node['Node Type'] === 'Seq Scan' &&
          relation &&
          relation !== ONE_ROW &&
          (rows.get(relation) ?? 0) >= largeRows
        )
          seqScans.push(relation);
        for (const child of node.Plans ?? []) walk(child);
      };
      if (plan) walk(plan);
      explained.push({ name, sql: sql.replace(/\s+/g, ' ').trim(), nodes, seqScans });
    };
    for (const statement of options.statements ?? PAGE_STATEMENTS) {
      if ('sql' in statement) {
        await explain(statement.name, statement.sql, statement.params(sample));
        continue;
      }
      // The call runs for real (later statements may depend on earlier rows); each of its
      // statements is explained first, with the same parameters.
      const calls: { sql: string; params: unknown[] }[] = [];
      const recorder = new Proxy(client, {
        get(target, property, receiver): unknown {
          if (property !== 'query') return Reflect.get(target, property, receiver);
          // The repositories pass SQL text and an array of parameters.
          return async (sql: string, params?: unknown[]) => {
            calls.push({ sql, params: params ?? [] });
            return target.query(sql, params);
          };
        },
      });
      await statement.run(recorder, sample);
      for (const [i, call] of calls.entries()) {
        await explain(
          calls.length > 1 ? `${statement.name} (${String(i + 1)})` : statement.name,
          call.sql,
          call.params,
        );
      }
    }
    return explained;
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

/** A report for a terminal: each statement's plan, then the sequential scans found. */
export function formatExplained(explained: readonly ExplainedStatement[]): string {
  const lines = explained.map(
    (e) => `${e.seqScans.length > 0 ? '✗' : '✓'} ${e.name} : ${e.nodes.join(' → ')}`,
  );
  const bad = explained.filter((e) => e.seqScans.length > 0);
  lines.push(
    bad.length === 0
      ? `Aucun parcours séquentiel d’une grande table (${String(explained.length)} requêtes).`
      : `Parcours séquentiels de grandes tables : ${bad.map((e) => `${e.name} (${e.seqScans.join(', ')})`).join(' ; ')}.`,
  );
  return lines.join('\n');
}
