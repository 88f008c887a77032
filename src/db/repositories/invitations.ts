import type { Queryable } from '../pool.ts';

export type InvitationChannel = 'email' | 'sms' | 'courrier';

export async function insertInvitation(
  tx: Queryable,
  i: {
    dossierId: string;
    personId: string;
    /** A member of the household, or (by letter, from the console) an agent. */
    invitedBy: { readonly person: string } | { readonly agent: string };
    channel: InvitationChannel;
    destination: string;
    codeHash: Buffer;
    createdAt: Date;
    expiresAt: Date;
  },
): Promise<void> {
  // A new invitation replaces the ones still waiting.
  await tx.query(
    'UPDATE invitations SET expires_at = least(expires_at, $2) WHERE person_id = $1 AND used_at IS NULL',
    [i.personId, i.createdAt],
  );
  await tx.query(
    `INSERT INTO invitations (dossier_id, person_id, invited_by, invited_by_agent, channel, destination, code_hash, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      i.dossierId,
      i.personId,
      'person' in i.invitedBy ? i.invitedBy.person : null,
      'agent' in i.invitedBy ? i.invitedBy.agent : null,
      i.channel,
      i.destination,
      i.codeHash,
      i.createdAt,
      i.expiresAt,
    ],
  );
}

export interface LiveInvitation {
  readonly id: string;
  readonly personId: string;
  readonly dossierId: string;
  readonly codeHash: Buffer;
}

/** The waiting invitation of the person whose NIR this is, locked for the transaction. */
export async function lockLiveInvitationByNir(
  tx: Queryable,
  nir: string,
  now: Date,
  maxFailures: number,
): Promise<LiveInvitation | null> {
  const r = await tx.query<LiveInvitation>(
    `SELECT i.id, i.person_id AS "personId", i.dossier_id AS "dossierId", i.code_hash AS "codeHash"
       FROM invitations i JOIN persons p ON p.id = i.person_id
      WHERE p.nir = $1 AND i.used_at IS NULL AND i.expires_at > $2 AND i.failed_attempts < $3
      ORDER BY i.created_at DESC LIMIT 1 FOR UPDATE OF i`,
    [nir, now, maxFailures],
  );
  return r.rows[0] ?? null;
}

export async function recordInvitationFailure(tx: Queryable, id: string): Promise<void> {
  await tx.query('UPDATE invitations SET failed_attempts = failed_attempts + 1 WHERE id = $1', [
    id,
  ]);
}

export async function consumeInvitation(tx: Queryable, id: string, now: Date): Promise<void> {
  await tx.query('UPDATE invitations SET used_at = $2 WHERE id = $1', [id, now]);
}
