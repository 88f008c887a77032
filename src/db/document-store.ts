import type { Queryable } from './pool.ts';

/**
 * Where the bytes of sent documents live, behind one small interface. `put` takes the
 * transaction that records the document, so a failed send stores nothing; an object store
 * (S3-compatible) would ignore it and write under the same key.
 */
export interface DocumentStore {
  put(tx: Queryable, key: string, bytes: Buffer): Promise<void>;
  get(db: Queryable, key: string): Promise<Buffer | null>;
}

/** The default store: the bytes in Postgres (`document_files`, bytea), backed up with the rest. */
export function postgresDocumentStore(): DocumentStore {
  return {
    async put(tx, key, bytes) {
      await tx.query('INSERT INTO document_files (key, bytes) VALUES ($1, $2)', [key, bytes]);
    },
    async get(db, key) {
      const r = await db.query<{ bytes: Buffer }>(
        'SELECT bytes FROM document_files WHERE key = $1',
        [key],
      );
      return r.rows[0]?.bytes ?? null;
    },
  };
}
