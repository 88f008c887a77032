import { withTransaction } from '#src/db/pool.ts';
import type { DataCategory } from '#src/db/repositories/access-log.ts';
import { listMembers, type MemberRow } from '#src/db/repositories/dossiers.ts';
import { countPendingRequests } from '#src/db/repositories/documents.ts';
import { openDemarches, type DemarcheRow } from '#src/db/repositories/household.ts';
import {
  demarchesInProgress,
  type DemarcheInProgress,
} from '#src/db/repositories/demarches-in-progress.ts';
import { latestPayments } from '#src/db/repositories/payments.ts';
import { findPersonById } from '#src/db/repositories/persons.ts';
import { isAllowed, type MemberRole } from '#src/domain/access.ts';
import { maskIban } from '#src/domain/masking.ts';
import type { Payment } from '#src/domain/payments.ts';
import { formatNir, parseNir } from '#src/domain/nir.ts';
import type { Principal } from '#src/domain/principal.ts';
import { dossiersOf, logDossierAccess } from './dossier-access.ts';
import { unreadLetters } from './letters.ts';
import type { Deps } from './deps.ts';
import { declarationDue } from './quarterly-declaration.ts';

export interface DossierView {
  readonly number: string;
  readonly role: MemberRole;
  readonly delegation: boolean;
  readonly summary: {
    readonly address: readonly string[];
    readonly familySituation: string;
    readonly members: readonly MemberRow[];
    /** Declared changes the Caf has not yet applied (a separation leaves « Vie maritale » until then). */
    readonly demarches: readonly DemarcheRow[];
  } | null;
  /**
   * The hub's cards (views/pages/mon-compte/hub/), one field each. The latest payment day's
   * payments (one a benefit); null where the matrix hides payments.
   */
  readonly payments: readonly Payment[] | null;
  /** Démarches not yet treated: the household's where the summary is open, else one's own. */
  readonly demarches: readonly DemarcheInProgress[];
  readonly bank: { readonly maskedIban: string; readonly bic: string } | null;
  /** Documents the Caf asks for and still waits for (those asked of this person when not for the household), or null. */
  readonly documentsRequested: number | null;
  /** The quarterly declaration still to send (RSA, prime d'activité), for the hub's card. */
  readonly declaration: Awaited<ReturnType<typeof declarationDue>>;
  /** What the access matrix opens to this member, for the page's links. */
  readonly can: {
    readonly household: boolean;
    readonly separation: boolean;
    readonly bankDetails: boolean;
  };
}

export interface MonCompteView {
  readonly person: {
    readonly givenName: string;
    readonly familyName: string;
    readonly nir: string | null;
    readonly provisionalId: string | null;
    readonly birthdate: string;
    readonly email: string | null;
    readonly phone: string | null;
  };
  readonly dossiers: readonly DossierView[];
  /** Unread letters for this person (null: no dossier whose letters they may read). */
  readonly unreadLetters: number | null;
}

const DEMARCHES_SHOWN = 5;

/**
 * Everything `/mon-compte` shows, loaded for the principal and nobody else: every dossier of the
 * person in the rule's order (services/dossier-access.ts), each written to the access log in the
 * same transaction as the reads.
 */
export async function loadMonCompte(
  s: Pick<Deps, 'pool' | 'now'>,
  principal: Principal,
  route: string,
): Promise<MonCompteView | null> {
  return withTransaction(s.pool, async (tx) => {
    const person = await findPersonById(tx, principal.personId);
    if (!person) return null;
    const dossiers: DossierView[] = [];
    const memberships = await dossiersOf(tx, principal, s.now());
    for (const { dossier, membership } of memberships) {
      const categories: DataCategory[] = ['identite'];
      let summary: DossierView['summary'] = null;
      if (isAllowed(membership, 'dossier-summary')) {
        summary = {
          address: [
            dossier.addressLine1,
            ...(dossier.addressLine2 ? [dossier.addressLine2] : []),
            `${dossier.postcode} ${dossier.city}`,
          ],
          familySituation: dossier.familySituation,
          members: await listMembers(tx, dossier.id),
          demarches: await openDemarches(tx, dossier.id),
        };
        categories.push('adresse', 'situation-familiale', 'membres');
      }
      let payments: DossierView['payments'] = null;
      let bank: DossierView['bank'] = null;
      if (isAllowed(membership, 'payments')) {
        payments = await latestPayments(tx, dossier.id);
        categories.push('paiements');
        if (dossier.iban) {
          bank = { maskedIban: maskIban(dossier.iban), bic: dossier.bic ?? '' };
          categories.push('coordonnees-bancaires');
        }
      }
      const household = isAllowed(membership, 'dossier-summary');
      const demarches = await demarchesInProgress(tx, dossier.id, principal.personId, {
        household,
        limit: DEMARCHES_SHOWN,
      });
      categories.push(household ? 'demarches' : 'demarches-personnelles');
      let documentsRequested: number | null = null;
      if (isAllowed(membership, 'own-name-requests')) {
        const own = isAllowed(membership, 'household-requests') ? null : principal.personId;
        documentsRequested = await countPendingRequests(tx, dossier.id, own);
        categories.push('documents');
      }
      await logDossierAccess(tx, principal, dossier.id, { route, categories });
      dossiers.push({
        number: dossier.number,
        role: membership.role,
        delegation: membership.delegation,
        summary,
        payments,
        demarches,
        bank,
        documentsRequested,
        declaration: isAllowed(membership, 'own-name-requests')
          ? await declarationDue(s, tx, dossier.id)
          : null,
        can: {
          household: isAllowed(membership, 'dossier-summary'),
          separation: isAllowed(membership, 'declare-separation'),
          bankDetails: isAllowed(membership, 'change-bank-details'),
        },
      });
    }
    await logDossierAccess(tx, principal, null, { route, categories: ['identite', 'coordonnees'] });
    const parsed = person.nir ? parseNir(person.nir) : null;
    // The letters rule decided on the memberships already read: no second look-up.
    const unread = await unreadLetters(tx, principal, memberships);
    return {
      unreadLetters: unread,
      person: {
        givenName: person.given_name,
        familyName: person.family_name,
        nir: parsed?.ok ? formatNir(parsed.nir) : person.nir,
        provisionalId: person.provisional_id,
        birthdate: person.birthdate,
        email: person.email,
        phone: person.phone,
      },
      dossiers,
    };
  });
}
