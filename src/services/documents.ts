import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import type { DocumentStore } from '#src/db/document-store.ts';
import { withTransaction } from '#src/db/pool.ts';
import {
  findSentDocument,
  insertDocument,
  insertDocumentDemarche,
  listDocumentRequests,
  markRequestReceived,
  type DocumentMediaType,
  type DocumentRequestRow,
  type SentDocumentRow,
} from '#src/db/repositories/documents.ts';
import { loadDocumentsRows } from '#src/db/repositories/documents-page.ts';
import { recordAudit } from '#src/db/repositories/household.ts';
import { isAllowed } from '#src/domain/access.ts';
import type { Principal } from '#src/domain/principal.ts';
import {
  chooseDossier,
  dossierFor,
  type DossierAccess,
  type DossierRefusal,
} from './dossier-access.ts';
import type { Deps } from './deps.ts';
import { decidedOnMemberships, heldOf, STALE } from './page-statement.ts';

/** 10 Mo: the largest document accepted. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

const ACCEPTED: ReadonlySet<string> = new Set(['application/pdf', 'image/jpeg', 'image/png']);

function isAccepted(mime: string): mime is DocumentMediaType {
  return ACCEPTED.has(mime);
}

export type FileProblem = 'missing' | 'empty' | 'too-large' | 'type';

/**
 * What the file is, from its bytes only (file-type reads the signature): never the name's
 * extension nor the browser's Content-Type, which anyone can write.
 */
export async function checkDocumentFile(
  file: { filename: string; bytes: Buffer } | null,
): Promise<{ ok: true; mediaType: DocumentMediaType } | { ok: false; problem: FileProblem }> {
  if (!file || (file.filename === '' && file.bytes.length === 0)) {
    return { ok: false, problem: 'missing' };
  }
  if (file.bytes.length === 0) return { ok: false, problem: 'empty' };
  if (file.bytes.length > MAX_DOCUMENT_BYTES) return { ok: false, problem: 'too-large' };
  const detected = await fileTypeFromBuffer(file.bytes);
  if (!detected || !isAccepted(detected.mime)) return { ok: false, problem: 'type' };
  return { ok: true, mediaType: detected.mime };
}

/**
 * The matrix's `own-name-requests` opens the page; `household-requests` decides, on the record,
 * whether the person answers for the household or only the requests addressed to them by name.
 */
function scopeOf(access: DossierAccess): { household: boolean } {
  return { household: isAllowed(access.membership, 'household-requests') };
}

export interface DocumentsPage {
  readonly dossierNumber: string;
  /** True: every request of the household, and free documents; false: own-name requests only. */
  readonly household: boolean;
  readonly requests: readonly DocumentRequestRow[];
  readonly sent: readonly SentDocumentRow[];
}

/**
 * « Mes documents »: the requests and the documents sent that this person may see. One statement
 * (ADR 0014): the matrix decides on the memberships read with the session, the statement
 * re-checks them, reads and logs.
 */
export async function loadDocuments(
  s: Pick<Deps, 'pool' | 'now'>,
  principal: Principal,
  signedIn: readonly DossierAccess[],
  route: string,
): Promise<({ ok: true } & DocumentsPage) | DossierRefusal> {
  return decidedOnMemberships(s, principal, signedIn, 'Mes documents', async (dossiers) => {
    const access = chooseDossier(dossiers, 'own-name-requests');
    if (!access.ok) return access;
    const { household } = scopeOf(access);
    const rows = await loadDocumentsRows(s.pool, {
      personId: principal.personId,
      sessionHash: principal.sessionHash,
      route,
      held: heldOf(dossiers),
      dossierId: access.dossier.id,
      only: household ? null : principal.personId,
      categories: ['documents'],
    });
    if (!rows.fresh) return STALE;
    return {
      ok: true,
      dossierNumber: access.dossier.number,
      household,
      requests: rows.requests,
      sent: rows.sent,
    };
  });
}

/** The receipt of one document sent, found by its reference within what this person may see. */
export async function documentReceipt(
  s: Pick<Deps, 'pool' | 'now'>,
  principal: Principal,
  reference: string,
  route: string,
): Promise<
  | { ok: true; dossierNumber: string; document: SentDocumentRow }
  | DossierRefusal
  | { ok: false; reason: 'not-found' }
> {
  return withTransaction(s.pool, async (tx) => {
    const shown = { route, categories: ['documents'] } as const;
    const access = await dossierFor(s, principal, 'own-name-requests', { shown, tx });
    if (!access.ok) return access;
    const document = await findSentDocument(tx, access.dossier.id, { reference });
    const visible =
      document && (scopeOf(access).household || document.senderPersonId === principal.personId);
    if (!document || !visible) return { ok: false, reason: 'not-found' };
    return { ok: true, dossierNumber: access.dossier.number, document };
  });
}

export interface DocumentToSend {
  /** The request answered, or null for a free document (then `description` says what it is). */
  readonly requestId: string | null;
  readonly description: string | null;
  readonly file: { readonly filename: string; readonly bytes: Buffer } | null;
  readonly idempotencyKey: string;
}

export type SendRefusal =
  | DossierRefusal
  | { ok: false; reason: 'file'; problem: FileProblem }
  | { ok: false; reason: 'request' };

const REFERENCE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** DOC-XXXX-XXXX: short enough to read on the phone, 40 bits of randomness. */
function newReference(): string {
  const chars = [...randomBytes(8)].map((b) => REFERENCE_ALPHABET[b % REFERENCE_ALPHABET.length]);
  return `DOC-${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;
}

/** Only the last segment of a path, without control characters: the name is shown, never used. */
function displayFilename(name: string): string {
  const last = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = last.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (clean || 'document').slice(0, 200);
}

/**
 * Sends one document: the file checked from its bytes, its record, its bytes in the store, the
 * request marked received and the démarche « document » in one transaction; the form's key makes
 * a double submit record one document (the second gets the first one's receipt).
 */
export async function sendDocument(
  s: Pick<Deps, 'pool' | 'now'>,
  store: DocumentStore,
  principal: Principal,
  input: DocumentToSend,
): Promise<{ ok: true; created: boolean; document: SentDocumentRow } | SendRefusal> {
  const access = await dossierFor(s, principal, 'own-name-requests');
  if (!access.ok) return access;
  const { household } = scopeOf(access);
  const dossierId = access.dossier.id;
  if (input.requestId === null && !household) return { ok: false, reason: 'forbidden' };
  const previous = await findSentDocument(s.pool, dossierId, {
    idempotencyKey: input.idempotencyKey,
  });
  if (previous) return { ok: true, created: false, document: previous };
  let request: DocumentRequestRow | null = null;
  if (input.requestId !== null) {
    const wanted = input.requestId;
    const requests = await listDocumentRequests(s.pool, dossierId, null);
    request = requests.find((r) => r.id === wanted) ?? null;
    if (!request) return { ok: false, reason: 'request' };
    // The conjoint without delegation answers only what the Caf asked of them by name.
    if (!household && request.personId !== principal.personId) {
      return { ok: false, reason: 'forbidden' };
    }
  }
  const checked = await checkDocumentFile(input.file);
  if (!checked.ok) return { ok: false, reason: 'file', problem: checked.problem };
  const bytes = input.file?.bytes ?? Buffer.alloc(0);
  const storageKey = randomUUID();
  const reference = newReference();
  const created = await withTransaction(s.pool, async (tx) => {
    const inserted = await insertDocument(tx, {
      dossierId,
      senderPersonId: principal.personId,
      requestId: request?.id ?? null,
      description: request ? null : input.description,
      filename: displayFilename(input.file?.filename ?? ''),
      mediaType: checked.mediaType,
      sizeBytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest(),
      storageKey,
      reference,
      idempotencyKey: input.idempotencyKey,
    });
    if (!inserted) return false;
    await store.put(tx, storageKey, bytes);
    if (request) await markRequestReceived(tx, request.id);
    await insertDocumentDemarche(tx, {
      dossierId,
      authorPersonId: principal.personId,
      details: { reference, title: request?.kind ?? input.description },
      idempotencyKey: `document:${input.idempotencyKey}`,
    });
    await recordAudit(tx, {
      actorPersonId: principal.personId,
      action: 'document-envoye',
      dossierId,
      targetPersonId: request?.personId ?? null,
      details: { reference },
    });
    return true;
  });
  const document = await findSentDocument(s.pool, dossierId, {
    idempotencyKey: input.idempotencyKey,
  });
  if (!document) throw new Error('document sent but not found by its key');
  return { ok: true, created, document };
}
