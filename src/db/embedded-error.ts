/** A start-up failure of the embedded Postgres told in words: what is wrong, how to fix it. */
export class EmbeddedPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}
