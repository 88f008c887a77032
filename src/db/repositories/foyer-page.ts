import type { Queryable } from '../pool.ts';
import type { DataCategory } from './access-log.ts';
import { householdSql, type HouseholdMember } from './household.ts';
import {
  heldParameter,
  jsonRowsSql,
  membershipsHeldSql,
  type HeldMembership,
} from './page-statement.ts';

/** What « Mon foyer » shows, decided by the matrix before the statement runs. */
export interface FoyerAsk {
  readonly personId: string;
  readonly sessionHash: Buffer;
  readonly route: string;
  /** Every membership the choice of the dossier was made on: re-checked in the snapshot. */
  readonly held: readonly HeldMembership[];
  readonly dossierId: string;
  /** The services' clock: invitations still valid at this instant. */
  readonly now: Date;
  readonly categories: readonly DataCategory[];
}

export type FoyerRows =
  | { readonly fresh: true; readonly members: readonly HouseholdMember[] }
  /** A membership changed since the session's statement read them: nothing read, nothing logged. */
  | { readonly fresh: false };

interface Row {
  readonly fresh: boolean;
  readonly members: (Omit<HouseholdMember, 'invitedAt'> & { invitedAt: string | null })[] | null;
}

/**
 * « Mon foyer » in one statement (ADR 0014): the memberships re-checked in the statement's
 * snapshot, the members read and the access-log row written — all or nothing.
 */
export async function loadFoyerRows(db: Queryable, ask: FoyerAsk): Promise<FoyerRows> {
  const r = await db.query<Row>(
    `WITH fresh AS (SELECT ${membershipsHeldSql('$1', '$4::jsonb')} AS ok),
     logged AS (
       INSERT INTO access_log (session_hash, person_id, dossier_id, categories, route)
       SELECT $2, $1, $5, $7::text[], $3 WHERE (SELECT ok FROM fresh)
       RETURNING 1
     )
     SELECT (SELECT ok FROM fresh) AS fresh,
            CASE WHEN (SELECT ok FROM fresh)
                 THEN ${jsonRowsSql(householdSql('$5::uuid', '$6::timestamptz'))} END AS members,
            (SELECT count(*) FROM logged) AS logged`,
    [
      ask.personId,
      ask.sessionHash,
      ask.route,
      heldParameter(ask.held),
      ask.dossierId,
      ask.now,
      ask.categories,
    ],
  );
  const row = r.rows[0];
  if (!row?.fresh || !row.members) return { fresh: false };
  return {
    fresh: true,
    members: row.members.map((m) => ({
      ...m,
      invitedAt: m.invitedAt === null ? null : new Date(m.invitedAt),
    })),
  };
}
