import type { Queryable } from '../pool.ts';
import type { DataCategory } from './access-log.ts';
import {
  documentRequestsSql,
  sentDocumentsSql,
  type DocumentRequestRow,
  type SentDocumentRow,
} from './documents.ts';
import { oneDossierPageSql, oneDossierPageValues, type OneDossierAsk } from './page-statement.ts';

/** What « Mes documents » shows, decided by the matrix before the statement runs. */
export interface DocumentsAsk extends OneDossierAsk {
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

const DOCUMENTS_PAGE_SQL = oneDossierPageSql({
  requests: documentRequestsSql('$5::uuid', '$6::uuid'),
  sent: sentDocumentsSql('$5::uuid', '$6::uuid'),
});

/**
 * « Mes documents » in one statement (ADR 0014): the memberships re-checked in the statement's
 * snapshot, the requests and the documents sent read, the access-log row written — all or nothing.
 */
export async function loadDocumentsRows(db: Queryable, ask: DocumentsAsk): Promise<DocumentsRows> {
  const r = await db.query<Row>({
    name: 'documents-page',
    text: DOCUMENTS_PAGE_SQL,
    values: oneDossierPageValues(ask, ask.only),
  });
  const row = r.rows[0];
  if (!row?.fresh || !row.requests || !row.sent) return { fresh: false };
  return {
    fresh: true,
    requests: row.requests.map((q) => ({ ...q, askedAt: new Date(q.askedAt) })),
    sent: row.sent.map((d) => ({ ...d, sentAt: new Date(d.sentAt) })),
  };
}
