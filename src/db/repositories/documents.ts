import type { Queryable } from '../pool.ts';

export type RequestStatus = 'a-envoyer' | 'recu' | 'valide' | 'refuse';
export type DocumentStatus = 'recu' | 'valide' | 'refuse';
export type DocumentMediaType = 'application/pdf' | 'image/jpeg' | 'image/png';

export interface DocumentRequestRow {
  readonly id: string;
  readonly kind: string;
  /** The member asked by name, or null when the household is asked. */
  readonly personId: string | null;
  readonly personName: string | null;
  readonly askedAt: Date;
  readonly status: RequestStatus;
}

/** The dossier's requests, oldest first; `personId` keeps those asked of that person by name. */
export async function listDocumentRequests(
  db: Queryable,
  dossierId: string,
  onlyAskedOf: string | null,
): Promise<DocumentRequestRow[]> {
  const r = await db.query<DocumentRequestRow>(documentRequestsSql('$1', '$2::uuid'), [
    dossierId,
    onlyAskedOf,
  ]);
  return r.rows;
}

/** The same query over SQL expressions: also « Mes documents »' statement's part (ADR 0014). */
export const documentRequestsSql = (dossier: string, onlyAskedOf: string): string =>
  `SELECT r.id, r.kind, r.person_id AS "personId",
          CASE WHEN p.id IS NULL THEN NULL ELSE p.given_name || ' ' || upper(p.family_name) END
            AS "personName",
          r.asked_at AS "askedAt", r.status
     FROM document_requests r LEFT JOIN persons p ON p.id = r.person_id
    WHERE r.dossier_id = ${dossier} AND (${onlyAskedOf} IS NULL OR r.person_id = ${onlyAskedOf})
    ORDER BY r.asked_at, r.id`;

/** How many requests still wait for a document (the dashboard's card). */
export async function countPendingRequests(
  db: Queryable,
  dossierId: string,
  onlyAskedOf: string | null,
): Promise<number> {
  const r = await db.query<{ n: number }>(pendingRequestsSql('$1', '$2::uuid'), [
    dossierId,
    onlyAskedOf,
  ]);
  return r.rows[0]?.n ?? 0;
}

/** The count over SQL expressions (`onlyAskedOf` null: the household's): a page statement's part. */
export const pendingRequestsSql = (dossier: string, onlyAskedOf: string): string =>
  `SELECT count(*)::int AS n FROM document_requests
    WHERE dossier_id = ${dossier} AND status = 'a-envoyer'
      AND (${onlyAskedOf} IS NULL OR person_id = ${onlyAskedOf})`;

export interface SentDocumentRow {
  readonly id: string;
  readonly reference: string;
  readonly title: string;
  readonly filename: string;
  readonly mediaType: DocumentMediaType;
  readonly sizeBytes: number;
  readonly storageKey: string;
  readonly status: DocumentStatus;
  readonly sentAt: Date;
  readonly senderPersonId: string;
  readonly senderName: string;
}

const SENT_COLUMNS = `d.id, d.reference, COALESCE(r.kind, d.description) AS title, d.filename,
       d.media_type AS "mediaType", d.size_bytes AS "sizeBytes", d.storage_key AS "storageKey",
       d.status, d.sent_at AS "sentAt", d.sender_person_id AS "senderPersonId",
       p.given_name || ' ' || upper(p.family_name) AS "senderName"
  FROM documents d
  LEFT JOIN document_requests r ON r.id = d.request_id
  JOIN persons p ON p.id = d.sender_person_id`;

/**
 * The documents sent on the dossier, newest first; `sentBy` not null keeps one sender's (SQL
 * expressions: the part of « Mes documents »' statement, src/db/repositories/documents-page.ts).
 */
export const sentDocumentsSql = (dossier: string, sentBy: string): string =>
  `SELECT ${SENT_COLUMNS}
    WHERE d.dossier_id = ${dossier} AND (${sentBy} IS NULL OR d.sender_person_id = ${sentBy})
    ORDER BY d.sent_at DESC, d.id`;

export async function findSentDocument(
  db: Queryable,
  dossierId: string,
  by: { reference: string } | { idempotencyKey: string },
): Promise<SentDocumentRow | null> {
  const [column, value] =
    'reference' in by ? ['d.reference', by.reference] : ['d.idempotency_key', by.idempotencyKey];
  const r = await db.query<SentDocumentRow>(
    `SELECT ${SENT_COLUMNS} WHERE d.dossier_id = $1 AND ${column} = $2`,
    [dossierId, value],
  );
  return r.rows[0] ?? null;
}

export interface NewDocument {
  readonly dossierId: string;
  readonly senderPersonId: string;
  readonly requestId: string | null;
  readonly description: string | null;
  readonly filename: string;
  readonly mediaType: DocumentMediaType;
  readonly sizeBytes: number;
  readonly sha256: Buffer;
  readonly storageKey: string;
  readonly reference: string;
  readonly idempotencyKey: string;
}

/** Records the document once per form key; false when that key was already used. */
export async function insertDocument(db: Queryable, d: NewDocument): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO documents (dossier_id, sender_person_id, request_id, description, filename,
                            media_type, size_bytes, sha256, storage_key, reference, idempotency_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [
      d.dossierId,
      d.senderPersonId,
      d.requestId,
      d.description,
      d.filename,
      d.mediaType,
      d.sizeBytes,
      d.sha256,
      d.storageKey,
      d.reference,
      d.idempotencyKey,
    ],
  );
  return (r.rowCount ?? 0) > 0;
}

/** The request is answered: the Caf now has a document to examine. */
export async function markRequestReceived(db: Queryable, requestId: string): Promise<void> {
  await db.query(`UPDATE document_requests SET status = 'recu' WHERE id = $1`, [requestId]);
}

/** The démarche « document » of « Mes démarches », sent: one per document. */
export async function insertDocumentDemarche(
  db: Queryable,
  d: {
    dossierId: string;
    authorPersonId: string;
    details: Record<string, unknown>;
    idempotencyKey: string;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO demarches (dossier_id, author_person_id, kind, status, details, idempotency_key)
     VALUES ($1, $2, 'document', 'envoyee', $3, $4) ON CONFLICT (idempotency_key) DO NOTHING`,
    [d.dossierId, d.authorPersonId, JSON.stringify(d.details), d.idempotencyKey],
  );
}
