import type { HeldMembership } from '#src/db/repositories/page-statement.ts';
import type { Principal } from '#src/domain/principal.ts';
import { dossiersOf, type DossierAccess } from './dossier-access.ts';
import type { Deps } from './deps.ts';

/** A membership changed between the session's statement and the page's: ask again, then stop. */
const ATTEMPTS = 3;

/** What a page's statement answers when the memberships it was decided on no longer hold. */
export const STALE: unique symbol = Symbol('memberships changed');

/**
 * A page in one statement (ADR 0014): `page` decides with the matrix on the memberships read with
 * the session and runs its statement, which re-checks them; when they changed in between (STALE:
 * nothing was read or logged), the page is decided again on fresh memberships, a bounded number of
 * times.
 */
export async function decidedOnMemberships<T>(
  s: Pick<Deps, 'pool' | 'now'>,
  principal: Principal,
  signedIn: readonly DossierAccess[],
  what: string,
  page: (dossiers: readonly DossierAccess[]) => Promise<T | typeof STALE>,
): Promise<T> {
  let dossiers = signedIn;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const result = await page(dossiers);
    if (result !== STALE) return result;
    dossiers = await dossiersOf(s.pool, principal, s.now());
  }
  throw new Error(`the memberships kept changing while ${what} was read`);
}

/** The memberships a decision was made on, as the page's statement re-checks them. */
export function heldOf(dossiers: readonly DossierAccess[]): HeldMembership[] {
  return dossiers.map(({ dossier, membership }) => ({
    dossierId: dossier.id,
    role: membership.role,
    delegation: membership.delegation,
  }));
}
