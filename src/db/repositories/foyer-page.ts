import type { Queryable } from '../pool.ts';
import type { DataCategory } from './access-log.ts';
import { householdSql, type HouseholdMember } from './household.ts';
import { oneDossierPageSql, oneDossierPageValues, type OneDossierAsk } from './page-statement.ts';

/** What « Mon foyer » shows, decided by the matrix before the statement runs. */
export interface FoyerAsk extends OneDossierAsk {
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

const FOYER_PAGE_SQL = oneDossierPageSql({
  members: householdSql('$5::uuid', '$6::timestamptz'),
});

/**
 * « Mon foyer » in one statement (ADR 0014): the memberships re-checked in the statement's
 * snapshot, the members read and the access-log row written — all or nothing.
 */
export async function loadFoyerRows(db: Queryable, ask: FoyerAsk): Promise<FoyerRows> {
  const r = await db.query<Row>({
    name: 'foyer-page',
    text: FOYER_PAGE_SQL,
    values: oneDossierPageValues(ask, ask.now),
  });
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
