import { withTransaction } from '#src/db/pool.ts';
import { listDemarches, type DemarcheListRow } from '#src/db/repositories/demarches-list.ts';
import { isAllowed } from '#src/domain/access.ts';
import type { Principal } from '#src/domain/principal.ts';
import { dossierFor, logDossierAccess, type DossierRefusal } from './dossier-access.ts';
import type { Deps } from './deps.ts';

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
 * person's own for the others; logged as shown.
 */
export async function loadDemarches(
  s: Deps,
  principal: Principal,
  route: string,
): Promise<DemarchesPage | DossierRefusal> {
  return withTransaction(s.pool, async (tx) => {
    const access = await dossierFor(s, principal, 'own-data', { tx });
    if (!access.ok) return access;
    const household = isAllowed(access.membership, 'dossier-summary');
    // The category tells an incident report which matrix cell allowed the display.
    await logDossierAccess(tx, principal, access.dossier.id, {
      route,
      categories: [household ? 'demarches' : 'demarches-personnelles'],
    });
    const demarches = await listDemarches(
      tx,
      access.dossier.id,
      household ? null : principal.personId,
    );
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
