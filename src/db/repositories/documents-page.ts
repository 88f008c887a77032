import type { Queryable } from '../pool.ts';
import type { DataCategory } from './access-log.ts';
import {
  documentRequestsSql,
  sentDocumentsSql,
  type DocumentRequestRow,
  type SentDocumentRow,
} from './documents.ts';
import {
  heldParameter,
  jsonRowsSql,
  membershipsHeldSql,
  type HeldMembership,
} from './page-statement.ts';

/** What « Mes documents » shows, decided by the matrix before the statement runs. */
export interface DocumentsAsk {
  readonly personId: string;
  readonly sessionHash: Buffer;
  readonly route: string;
  /** Every membership the choice of the dossier was made on: re-checked in the snapshot. */
  readonly held: readonly HeldMembership[];
  readonly dossierId: string;
  /** Requests asked of, and documents sent by, this person only; null: the household's. */
  readonly only: string | null;
  readonly categories: readonly DataCategory[];
}

export type DocumentsRows =
  | {
      readonly fresh: true;
      readonly requests: readonly DocumentRequestRow[];
      readonly sent: readonly SentDocumentRow[];
    }
  /** A membership changed since the session's statement read them: nothing read, nothing logged. */
  | { readonly fresh: false };

interface Row {
  readonly fresh: boolean;
  readonly requests: (Omit<DocumentRequestRow, 'askedAt'> & { askedAt: string })[] | null;
  readonly sent: (Omit<SentDocumentRow, 'sentAt'> & { sentAt: string })[] | null;
}

/**
 * « Mes documents » in one statement (ADR 0014): the memberships re-checked in the statement's
 * snapshot, the requests and the documents sent read, the access-log row written — all or nothing.
 */
export async function loadDocumentsRows(db: Queryable, ask: DocumentsAsk): Promise<DocumentsRows> {
  const r = await db.query<Row>(
    `WITH fresh AS (SELECT ${membershipsHeldSql('$1', '$4::jsonb')} AS ok),
     logged AS (
       INSERT INTO access_log (session_hash, person_id, dossier_id, categories, route)
       SELECT $2, $1, $5, $7::text[], $3 WHERE (SELECT ok FROM fresh)
       RETURNING 1
     )
     SELECT (SELECT ok FROM fresh) AS fresh,
            CASE WHEN (SELECT ok FROM fresh)
                 THEN ${jsonRowsSql(documentRequestsSql('$5::uuid', '$6::uuid'))} END AS requests,
            CASE WHEN (SELECT ok FROM fresh)
                 THEN ${jsonRowsSql(sentDocumentsSql('$5::uuid', '$6::uuid'))} END AS sent,
            (SELECT count(*) FROM logged) AS logged`,
    [
      ask.personId,
      ask.sessionHash,
      ask.route,
      heldParameter(ask.held),
      ask.dossierId,
      ask.only,
      ask.categories,
    ],
  );
  const row = r.rows[0];
  if (!row?.fresh || !row.requests || !row.sent) return { fresh: false };
  return {
    fresh: true,
    requests: row.requests.map((q) => ({ ...q, askedAt: new Date(q.askedAt) })),
    sent: row.sent.map((d) => ({ ...d, sentAt: new Date(d.sentAt) })),
  };
}
