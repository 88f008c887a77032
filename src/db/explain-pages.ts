import { randomBytes } from 'node:crypto';
import { loadAttestationsPageRows } from './repositories/attestations-page.ts';
import { loadLettersPageRows } from './repositories/courriers-page.ts';
import { loadDemarchesRows } from './repositories/demarches-page.ts';
import { loadDocumentsRows } from './repositories/documents-page.ts';
import { findDossiersOfPerson } from './repositories/dossiers.ts';
import { loadFoyerRows } from './repositories/foyer-page.ts';
import { readMaintenance } from './repositories/maintenance.ts';
import { loadDashboardRows } from './repositories/mon-compte-page.ts';
import type { HeldMembership } from './repositories/page-statement.ts';
import { paymentDetailRows, paymentsPageRows } from './repositories/payments.ts';
import { startRequest } from './repositories/sessions.ts';
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
  /** The person's memberships, as a page statement re-checks them. */
  readonly held: readonly HeldMembership[];
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

const twoYearsBefore = (today: string): string =>
  `${String(Number(today.slice(0, 4)) - 2)}${today.slice(4, 7)}-01`;

/** Add a page's statement here: a name, then the repository call (or the SQL and its parameters). */
export const PAGE_STATEMENTS: readonly PageStatement[] = [
  // Every signed-in request (ADR 0001, 0012, 0014): session, memberships, maintenance.
  {
    name: 'request start',
    run: (db, s) => startRequest(db, s.sessionHash, s.personId, 1_800_000),
  },
  // Anonymous requests read the maintenance row alone.
  { name: 'maintenance', run: (db) => readMaintenance(db) },
  // /mon-compte: every card open (the allocataire).
  {
    name: '/mon-compte',
    run: (db, s) =>
      loadDashboardRows(db, {
        personId: s.personId,
        sessionHash: s.sessionHash,
        route: '/mon-compte',
        dossiers: s.held.map((h) => ({
          ...h,
          summary: true,
          payments: true,
          householdDemarches: true,
          documents: 'household',
          quarter: `${s.today.slice(0, 7)}-01`,
          categories: ['identite'],
        })),
        personCategories: ['identite'],
        letters: { dossierId: s.dossierId, household: true },
        demarchesShown: 5,
      }),
  },
  {
    name: '/mon-compte/paiements',
    run: (db, s) =>
      paymentsPageRows(db, {
        ...pageAsk(s, '/mon-compte/paiements'),
        range: { from: twoYearsBefore(s.today), before: s.today },
        categories: ['paiements'],
      }),
  },
  {
    name: '/mon-compte/paiements/:id',
    run: (db, s) =>
      paymentDetailRows(db, {
        ...pageAsk(s, '/mon-compte/paiements/1'),
        paymentId: '1',
        categories: { withIban: ['paiements'], withoutIban: ['paiements'] },
      }),
  },
  {
    name: '/mon-compte/demarches',
    run: (db, s) =>
      loadDemarchesRows(db, {
        ...statementAsk(s, '/mon-compte/demarches'),
        onlyAuthor: null,
        categories: ['demarches'],
      }),
  },
  {
    name: '/mon-compte/foyer',
    run: (db, s) =>
      loadFoyerRows(db, {
        ...statementAsk(s, '/mon-compte/foyer'),
        now: new Date(),
        categories: ['membres'],
      }),
  },
  {
    name: '/mon-compte/documents',
    run: (db, s) =>
      loadDocumentsRows(db, {
        ...statementAsk(s, '/mon-compte/documents'),
        only: null,
        categories: ['documents'],
      }),
  },
  {
    name: '/mon-compte/courriers',
    run: (db, s) =>
      loadLettersPageRows(db, {
        ...pageAsk(s, '/mon-compte/courriers'),
        household: true,
        categories: ['courriers'],
      }),
  },
  {
    name: '/mon-compte/attestations',
    run: (db, s) =>
      loadAttestationsPageRows(db, {
        ...pageAsk(s, '/mon-compte/attestations'),
        categories: ['attestations'],
      }),
  },
];

function pageAsk(s: ExplainSample, route: string) {
  return {
    personId: s.personId,
    sessionHash: s.sessionHash,
    route,
    memberships: s.held,
    dossierId: s.dossierId,
  };
}

function statementAsk(s: ExplainSample, route: string) {
  const { memberships, ...rest } = pageAsk(s, route);
  return { ...rest, held: memberships };
}

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
  const held = (await findDossiersOfPerson(db, row.person_id)).map((m) => ({
    dossierId: m.dossier.id,
    role: m.role,
    delegation: m.delegation,
  }));
  return {
    personId: row.person_id,
    dossierId: row.dossier_id,
    sessionHash: randomBytes(32),
    today: row.today,
    held,
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
          // The repositories pass SQL text and parameters, or a named statement's config.
          return async (
            query: string | { text: string; values?: unknown[]; name?: string },
            params?: unknown[],
          ) => {
            if (typeof query === 'string') {
              calls.push({ sql: query, params: params ?? [] });
              return target.query(query, params);
            }
            calls.push({ sql: query.text, params: query.values ?? [] });
            return target.query(query);
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
