export type AuthMethod = 'password' | 'franceconnect' | 'franceconnect-plus';

/**
 * The one authenticated person a request is bound to. It is built only from a verified
 * session cookie whose `sessions` row is live, and is passed explicitly to every service.
 */
export interface Principal {
  readonly personId: string;
  /** "Prénom NOM", for the page header. */
  readonly displayName: string;
  /** SHA-256 of the session id: the key of the `sessions` row and of access-log entries. */
  readonly sessionHash: Buffer;
  readonly method: AuthMethod;
  readonly acr: string | null;
  readonly authenticatedAt: Date;
}
