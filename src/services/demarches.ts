import type { DemarcheListRow } from '#src/db/repositories/demarches-list.ts';
import { loadDemarchesRows } from '#src/db/repositories/demarches-page.ts';
import { isAllowed } from '#src/domain/access.ts';
import type { Principal } from '#src/domain/principal.ts';
import { chooseDossier, type DossierAccess, type DossierRefusal } from './dossier-access.ts';
import type { Deps } from './deps.ts';
import { decidedOnMemberships, heldOf, STALE } from './page-statement.ts';

export type { DemarcheListRow } from '#src/db/repositories/demarches-list.ts';

/** Family situations of a couple: the ones in which « Déclarer une séparation » makes sense. */
const COUPLE_SITUATIONS: ReadonlySet<string> = new Set(['Marié(e)s', 'Pacsé(e)s', 'Vie maritale']);

export interface DemarchesPage {
  readonly ok: true;
  readonly dossierNumber: string;
  /** The household's démarches (dossier-summary), or only the principal's own. */
  readonly scope: 'household' | 'own';
  readonly demarches: readonly DemarcheListRow[];
  readonly canDeclareSeparation: boolean;
  readonly canDeclareAddressChange: boolean;
}

/**
 * `/mon-compte/demarches`: every démarche of the dossier for those who see its summary, the
 * person's own for the others; logged as shown. One statement (ADR 0014): the matrix decides on
 * the memberships read with the session, the statement re-checks them, reads and logs.
 */
export async function loadDemarches(
  s: Pick<Deps, 'pool' | 'now'>,
  principal: Principal,
  signedIn: readonly DossierAccess[],
  route: string,
): Promise<DemarchesPage | DossierRefusal> {
  return decidedOnMemberships(s, principal, signedIn, 'Mes démarches', async (dossiers) => {
    const access = chooseDossier(dossiers, 'own-data');
    if (!access.ok) return access;
    const household = isAllowed(access.membership, 'dossier-summary');
    const rows = await loadDemarchesRows(s.pool, {
      personId: principal.personId,
      sessionHash: principal.sessionHash,
      route,
      held: heldOf(dossiers),
      dossierId: access.dossier.id,
      onlyAuthor: household ? null : principal.personId,
      // The category tells an incident report which matrix cell allowed the display.
      categories: [household ? 'demarches' : 'demarches-personnelles'],
    });
    if (!rows.fresh) return STALE;
    const { demarches } = rows;
    // A separation already declared and not yet settled is not offered twice.
    const pendingSeparation = demarches.some(
      (d) => d.kind === 'separation' && d.status !== 'annulee' && d.status !== 'traitee',
    );
    return {
      ok: true,
      dossierNumber: access.dossier.number,
      scope: household ? 'household' : 'own',
      demarches,
      canDeclareSeparation:
        // The dossier shown is the first the person belongs to: the rule's choice for any action.
        isAllowed(access.membership, 'declare-separation') &&
        COUPLE_SITUATIONS.has(access.dossier.familySituation) &&
        !pendingSeparation,
      canDeclareAddressChange: isAllowed(access.membership, 'declare-address-change'),
    };
  });
}
