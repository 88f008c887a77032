import type { MemberRole } from '#src/domain/access.ts';
import type { Payment } from '#src/domain/payments.ts';
import type { Queryable } from '../pool.ts';
import type { DataCategory } from './access-log.ts';
import { demarchesInProgressSql, type DemarcheInProgress } from './demarches-in-progress.ts';
import { pendingRequestsSql } from './documents.ts';
import { membersSql, type MemberRow } from './dossiers.ts';
import { openDemarchesSql, type DemarcheRow } from './household.ts';
import { unreadLettersSql } from './letters.ts';
import { membershipsHeldSql } from './page-statement.ts';
import { latestPaymentsSql } from './payments.ts';
import type { PersonRow } from './persons.ts';

/**
 * What the dashboard shows of one dossier, decided by the matrix before the statement runs (the
 * matrix is one pure function, src/domain/access.ts; SQL only reads what it opened).
 */
export interface DashboardDossierAsk {
  readonly dossierId: string;
  /** The membership the decisions were made on: the whole set is re-checked in the statement's snapshot. */
  readonly role: MemberRole;
  readonly delegation: boolean;
  readonly summary: boolean;
  readonly payments: boolean;
  /** Démarches of the household (true) or one's own (false). */
  readonly householdDemarches: boolean;
  /** Documents asked for: of the household, of this person, or not shown. */
  readonly documents: 'household' | 'own' | null;
  /** The open quarter's first day (YYYY-MM-DD) when a declaration is due, else null. */
  readonly quarter: string | null;
  /** The access-log row's categories for this dossier. */
  readonly categories: readonly DataCategory[];
}

export interface DashboardAsk {
  readonly personId: string;
  readonly sessionHash: Buffer;
  readonly route: string;
  readonly dossiers: readonly DashboardDossierAsk[];
  /** The access-log row about the person (no dossier). */
  readonly personCategories: readonly DataCategory[];
  /** The dossier whose letters are counted, and whether the household's (else one's own). */
  readonly letters: { readonly dossierId: string; readonly household: boolean } | null;
  readonly demarchesShown: number;
}

export interface DashboardDossierRows {
  readonly dossierId: string;
  readonly members: readonly MemberRow[] | null;
  readonly openDemarches: readonly DemarcheRow[] | null;
  readonly payments: readonly Payment[] | null;
  readonly demarches: readonly DemarcheInProgress[];
  readonly documentsRequested: number | null;
  /** The open quarter's declaration row, if any: sent or a draft. */
  readonly declaration: { readonly submitted: boolean } | null;
}

export type DashboardRows =
  | {
      readonly fresh: true;
      readonly person: PersonRow;
      readonly dossiers: readonly DashboardDossierRows[];
      readonly unreadLetters: number | null;
    }
  /** A membership changed since the session's statement read it, or the person is gone. */
  | { readonly fresh: false };

interface Row {
  readonly fresh: boolean;
  readonly person: PersonRow | null;
  readonly dossiers: (Omit<DashboardDossierRows, 'openDemarches' | 'demarches'> & {
    openDemarches: (Omit<DemarcheRow, 'createdAt'> & { createdAt: string })[] | null;
    demarches: (Omit<DemarcheInProgress, 'createdAt'> & { createdAt: string })[] | null;
  })[];
  readonly unread: number | null;
}

const json = (sql: string): string => `(SELECT coalesce(json_agg(t), '[]') FROM (${sql}) t)`;

const DASHBOARD_SQL = `WITH ask AS (
       SELECT * FROM jsonb_to_recordset($4::jsonb) AS a(
         ord int, "dossierId" uuid, role member_role, delegation boolean, summary boolean,
         payments boolean, "householdDemarches" boolean, documents text, quarter date,
         categories text[])
     ),
     still AS (
       SELECT ask.* FROM ask
         JOIN dossier_members m ON m.dossier_id = ask."dossierId" AND m.person_id = $1
          AND m.role = ask.role AND m.delegation = ask.delegation
     ),
     person AS (SELECT * FROM persons WHERE id = $1),
     fresh AS (
       SELECT ${membershipsHeldSql('$1', '$4::jsonb')} AND EXISTS (SELECT 1 FROM person) AS ok
     ),
     logged AS (
       INSERT INTO access_log (session_hash, person_id, dossier_id, categories, route)
       SELECT $2, $1, d, c, $3
         FROM (SELECT "dossierId" AS d, categories AS c, ord FROM still
               UNION ALL SELECT NULL, $5::text[], 2147483647) rows
        WHERE (SELECT ok FROM fresh)
        ORDER BY ord
       RETURNING 1
     )
     SELECT (SELECT ok FROM fresh) AS fresh,
            (SELECT json_build_object(
                      'id', id, 'nir', nir, 'provisional_id', provisional_id,
                      'given_name', given_name, 'family_name', family_name, 'sex', sex,
                      'birthdate', birthdate, 'email', email, 'phone', phone,
                      'email_verified_at', email_verified_at,
                      'phone_verified_at', phone_verified_at)
               FROM person WHERE (SELECT ok FROM fresh)) AS person,
            (SELECT coalesce(json_agg(json_build_object(
                      'dossierId', s."dossierId",
                      'members', CASE WHEN s.summary THEN ${json(membersSql('s."dossierId"'))} END,
                      'openDemarches', CASE WHEN s.summary THEN ${json(openDemarchesSql('s."dossierId"'))} END,
                      'payments', CASE WHEN s.payments THEN ${json(latestPaymentsSql('s."dossierId"'))} END,
                      'demarches', ${json(demarchesInProgressSql('s."dossierId"', '$1', 's."householdDemarches"', '$8'))},
                      'documentsRequested', CASE s.documents
                        WHEN 'household' THEN (${pendingRequestsSql('s."dossierId"', 'NULL::uuid')})
                        WHEN 'own' THEN (${pendingRequestsSql('s."dossierId"', '$1::uuid')}) END,
                      'declaration', (SELECT json_build_object('submitted', q.submitted_at IS NOT NULL)
                                        FROM quarterly_declarations q
                                       WHERE q.dossier_id = s."dossierId" AND q.quarter_start = s.quarter))
                    ORDER BY s.ord), '[]')
               FROM still s WHERE (SELECT ok FROM fresh)) AS dossiers,
            CASE WHEN $6::uuid IS NOT NULL AND (SELECT ok FROM fresh)
                 THEN (${unreadLettersSql('$6::uuid', '$1', '$7::boolean')}) END AS unread,
            (SELECT count(*) FROM logged) AS logged`;

/**
 * The whole dashboard in one statement (ADR 0014): the memberships the matrix decided on are
 * re-checked in this statement's snapshot, every card's rows are read, and the access-log rows
 * are written — all or nothing: when a membership changed, nothing is read or logged and the
 * caller asks again with fresh memberships.
 */
export async function loadDashboardRows(db: Queryable, ask: DashboardAsk): Promise<DashboardRows> {
  // A named statement: parsed and planned once per connection, not on every page.
  const r = await db.query<Row>({
    name: 'mon-compte-page',
    text: DASHBOARD_SQL,
    values: [
      ask.personId,
      ask.sessionHash,
      ask.route,
      JSON.stringify(ask.dossiers.map((d, ord) => ({ ...d, ord }))),
      ask.personCategories,
      ask.letters?.dossierId ?? null,
      ask.letters?.household ?? false,
      ask.demarchesShown,
    ],
  });
  const row = r.rows[0];
  if (!row?.fresh || !row.person) return { fresh: false };
  return {
    fresh: true,
    person: {
      ...row.person,
      email_verified_at: dateOrNull(row.person.email_verified_at),
      phone_verified_at: dateOrNull(row.person.phone_verified_at),
    },
    dossiers: row.dossiers.map((d) => ({
      ...d,
      openDemarches:
        d.openDemarches?.map((x) => ({ ...x, createdAt: new Date(x.createdAt) })) ?? null,
      demarches: (d.demarches ?? []).map((x) => ({ ...x, createdAt: new Date(x.createdAt) })),
    })),
    unreadLetters: row.unread,
  };
}

function dateOrNull(v: Date | string | null): Date | null {
  return v === null ? null : new Date(v);
}
