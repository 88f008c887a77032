import type { Queryable } from '../pool.ts';

/** Which letters of a dossier a reader may see: all of them, or those addressed to one person. */
export type LetterScope =
  { readonly kind: 'household' } | { readonly kind: 'addressee'; readonly personId: string };

export interface LetterRow {
  readonly id: string;
  readonly sentOn: string;
  readonly subject: string;
  readonly registered: boolean;
  /** Null: addressed to the household. */
  readonly addresseePersonId: string | null;
  readonly addresseeName: string | null;
  /** When this reader opened it, or null (unread). */
  readonly readAt: Date | null;
  readonly receipt: LetterReceipt | null;
}

export interface LetterReceipt {
  readonly acknowledgedAt: Date;
  readonly personName: string;
  readonly method: ReceiptMethod;
}

export type ReceiptMethod = 'franceconnect-plus' | 'mot-de-passe+code';

interface RawLetter {
  id: string;
  /** Only when asked for (one letter's PDF). */
  body?: string;
  sentOn: string;
  subject: string;
  registered: boolean;
  addresseePersonId: string | null;
  addresseeName: string | null;
  readAt: Date | null;
  acknowledgedAt: Date | null;
  receiptName: string | null;
  receiptMethod: ReceiptMethod | null;
}

/**
 * The letters `reader` may see in `dossier` (every one when `household`, else those addressed to
 * the reader), over SQL expressions: also a page statement's part (ADR 0014). `body` adds the
 * letter's text (the PDF needs it, the list does not).
 */
export const lettersSql = (
  dossier: string,
  reader: string,
  household: string,
  options: { readonly body?: boolean } = {},
): string => `
  SELECT l.id,${options.body ? ' l.body,' : ''} l.sent_on AS "sentOn", l.subject, l.registered,
         l.addressee_person_id AS "addresseePersonId",
         a.given_name || ' ' || upper(a.family_name) AS "addresseeName",
         r.read_at AS "readAt",
         rc.acknowledged_at AS "acknowledgedAt",
         rp.given_name || ' ' || upper(rp.family_name) AS "receiptName",
         rc.method AS "receiptMethod"
    FROM letters l
    LEFT JOIN persons a ON a.id = l.addressee_person_id
    LEFT JOIN letter_reads r ON r.letter_id = l.id AND r.person_id = ${reader}
    LEFT JOIN letter_receipts rc ON rc.letter_id = l.id
    LEFT JOIN persons rp ON rp.id = rc.person_id
   WHERE l.dossier_id = ${dossier} AND (${household} OR l.addressee_person_id = ${reader})`;

/** The list's order: newest first. */
export const LETTERS_ORDER = 'ORDER BY l.sent_on DESC, l.created_at DESC';

/** A letter row as JSON gives it (a page statement's aggregate): timestamps as strings. */
export type LetterJson = Omit<RawLetter, 'readAt' | 'acknowledgedAt'> & {
  readAt: string | null;
  acknowledgedAt: string | null;
};

/** A letter row read as JSON, its timestamps made dates again. */
export function letterFromJson(r: LetterJson): LetterRow {
  return toRow({
    ...r,
    readAt: r.readAt === null ? null : new Date(r.readAt),
    acknowledgedAt: r.acknowledgedAt === null ? null : new Date(r.acknowledgedAt),
  });
}

function toRow(r: RawLetter): LetterRow {
  return {
    id: r.id,
    sentOn: r.sentOn,
    subject: r.subject,
    registered: r.registered,
    addresseePersonId: r.addresseePersonId,
    addresseeName: r.addresseeName,
    readAt: r.readAt,
    receipt:
      r.acknowledgedAt && r.receiptMethod
        ? {
            acknowledgedAt: r.acknowledgedAt,
            personName: r.receiptName ?? '',
            method: r.receiptMethod,
          }
        : null,
  };
}

/** One letter, looked up within what the reader may see (null: not there, or not theirs). */
export async function findLetter(
  db: Queryable,
  dossierId: string,
  readerId: string,
  scope: LetterScope,
  letterId: string,
): Promise<(LetterRow & { readonly body: string }) | null> {
  const r = await db.query<RawLetter>(
    `${lettersSql('$1', '$2', '$3::boolean', { body: true })} AND l.id = $4`,
    [dossierId, readerId, scope.kind === 'household', letterId],
  );
  const row = r.rows[0];
  return row ? { ...toRow(row), body: row.body ?? '' } : null;
}

/** The count over SQL expressions: also a page statement's part (ADR 0014). */
export const unreadLettersSql = (dossier: string, reader: string, household: string): string =>
  `SELECT count(*)::int AS n FROM letters l
    WHERE l.dossier_id = ${dossier} AND (${household} OR l.addressee_person_id = ${reader})
      AND NOT EXISTS (SELECT 1 FROM letter_reads r WHERE r.letter_id = l.id AND r.person_id = ${reader})`;

/** Marks the letter read by this person (the first opening's time stays). */
export async function markLetterRead(
  db: Queryable,
  letterId: string,
  personId: string,
  at: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO letter_reads (letter_id, person_id, read_at) VALUES ($1, $2, $3)
     ON CONFLICT (letter_id, person_id) DO NOTHING`,
    [letterId, personId, at],
  );
}

/** Records the acknowledgment of receipt unless one exists: the first opening wins a race. */
export async function acknowledgeReceipt(
  db: Queryable,
  letterId: string,
  personId: string,
  at: Date,
  method: ReceiptMethod,
): Promise<void> {
  await db.query(
    `INSERT INTO letter_receipts (letter_id, person_id, acknowledged_at, method)
     VALUES ($1, $2, $3, $4) ON CONFLICT (letter_id) DO NOTHING`,
    [letterId, personId, at, method],
  );
}

export interface NewLetter {
  readonly dossierId: string;
  readonly addresseePersonId: string | null;
  readonly sentOn: string;
  readonly subject: string;
  readonly body: string;
  readonly registered: boolean;
}

export async function insertLetter(db: Queryable, l: NewLetter): Promise<string> {
  const r = await db.query<{ id: string }>(
    `INSERT INTO letters (dossier_id, addressee_person_id, sent_on, subject, body, registered)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [l.dossierId, l.addresseePersonId, l.sentOn, l.subject, l.body, l.registered],
  );
  const id = r.rows[0]?.id;
  if (!id) throw new Error('letter not inserted');
  return id;
}
