import type { DataCategory } from '#src/db/repositories/access-log.ts';
import type { DemarcheInProgress } from '#src/db/repositories/demarches-in-progress.ts';
import type { MemberRow } from '#src/db/repositories/dossiers.ts';
import type { DemarcheRow } from '#src/db/repositories/household.ts';
import {
  loadDashboardRows,
  type DashboardDossierAsk,
  type DashboardRows,
} from '#src/db/repositories/mon-compte-page.ts';
import { findPersonById } from '#src/db/repositories/persons.ts';
import { isAllowed, type MemberRole } from '#src/domain/access.ts';
import { maskIban } from '#src/domain/masking.ts';
import type { Payment } from '#src/domain/payments.ts';
import { formatNir, parseNir } from '#src/domain/nir.ts';
import type { Principal } from '#src/domain/principal.ts';
import {
  declarationPeriod,
  isDeclarationCycle,
  type Quarter,
} from '#src/domain/quarterly-declaration.ts';
import { dossiersOf, type DossierAccess } from './dossier-access.ts';
import { letterScopeOf } from './letters.ts';
import type { Deps } from './deps.ts';

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
  readonly declaration: {
    readonly quarter: Quarter;
    readonly closesOn: string;
    readonly draft: boolean;
  } | null;
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
/** A membership changed between the session's statement and the page's: ask again, then stop. */
const ATTEMPTS = 3;

/**
 * Everything `/mon-compte` shows, loaded for the principal and nobody else, in one statement
 * (ADR 0014): every dossier of the person in the rule's order, the matrix deciding each card on
 * the memberships read with the session, re-checked in the statement's snapshot, and the
 * access-log rows written by the same statement.
 */
export async function loadMonCompte(
  s: Pick<Deps, 'pool' | 'now'>,
  principal: Principal,
  signedIn: readonly DossierAccess[],
  route: string,
): Promise<MonCompteView | null> {
  let memberships = signedIn;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const now = s.now();
    const asks = memberships.map((m) => dashboardAsk(m, now));
    const letters = letterScopeOf(principal, memberships);
    const rows = await loadDashboardRows(s.pool, {
      personId: principal.personId,
      sessionHash: principal.sessionHash,
      route,
      dossiers: asks.map((a) => a.ask),
      personCategories: ['identite', 'coordonnees'],
      letters:
        'ok' in letters
          ? null
          : { dossierId: letters.dossier.id, household: letters.scope.kind === 'household' },
      demarchesShown: DEMARCHES_SHOWN,
    });
    if (rows.fresh) return dashboardView(rows, memberships, asks);
    if (!(await personExists(s, principal))) return null;
    memberships = await dossiersOf(s.pool, principal, now);
  }
  throw new Error('the memberships kept changing while the dashboard was read');
}

async function personExists(s: Pick<Deps, 'pool'>, principal: Principal): Promise<boolean> {
  return (await findPersonById(s.pool, principal.personId)) !== null;
}

interface Asked {
  readonly ask: DashboardDossierAsk;
  readonly declaration: { readonly quarter: Quarter; readonly closesOn: string } | null;
}

/** What the matrix opens of one dossier on the dashboard, and the access-log row it means. */
function dashboardAsk({ dossier, membership }: DossierAccess, now: Date): Asked {
  const summary = isAllowed(membership, 'dossier-summary');
  const payments = isAllowed(membership, 'payments');
  const ownRequests = isAllowed(membership, 'own-name-requests');
  const categories: DataCategory[] = ['identite'];
  if (summary) categories.push('adresse', 'situation-familiale', 'membres');
  if (payments) {
    categories.push('paiements');
    if (dossier.iban) categories.push('coordonnees-bancaires');
  }
  categories.push(summary ? 'demarches' : 'demarches-personnelles');
  if (ownRequests) categories.push('documents');
  const period =
    ownRequests && isDeclarationCycle(dossier.declarationCycle)
      ? declarationPeriod(dossier.declarationCycle, now)
      : null;
  return {
    ask: {
      dossierId: dossier.id,
      role: membership.role,
      delegation: membership.delegation,
      summary,
      payments,
      householdDemarches: summary,
      documents: ownRequests
        ? isAllowed(membership, 'household-requests')
          ? 'household'
          : 'own'
        : null,
      quarter: period?.open ? period.quarter.start : null,
      categories,
    },
    declaration: period?.open ? { quarter: period.quarter, closesOn: period.closesOn } : null,
  };
}

function dashboardView(
  rows: Extract<DashboardRows, { fresh: true }>,
  memberships: readonly DossierAccess[],
  asks: readonly Asked[],
): MonCompteView {
  const { person } = rows;
  const dossiers = memberships.map(({ dossier, membership }, k): DossierView => {
    const found = rows.dossiers[k];
    const asked = asks[k];
    if (found?.dossierId !== dossier.id || !asked) throw new Error('dashboard rows out of order');
    const { ask } = asked;
    return {
      number: dossier.number,
      role: membership.role,
      delegation: membership.delegation,
      summary: ask.summary
        ? {
            address: [
              dossier.addressLine1,
              ...(dossier.addressLine2 ? [dossier.addressLine2] : []),
              `${dossier.postcode} ${dossier.city}`,
            ],
            familySituation: dossier.familySituation,
            members: found.members ?? [],
            demarches: found.openDemarches ?? [],
          }
        : null,
      payments: ask.payments ? (found.payments ?? []) : null,
      demarches: found.demarches,
      bank:
        ask.payments && dossier.iban
          ? { maskedIban: maskIban(dossier.iban), bic: dossier.bic ?? '' }
          : null,
      documentsRequested: found.documentsRequested,
      declaration:
        asked.declaration && !found.declaration?.submitted
          ? { ...asked.declaration, draft: found.declaration !== null }
          : null,
      can: {
        household: ask.summary,
        separation: isAllowed(membership, 'declare-separation'),
        bankDetails: isAllowed(membership, 'change-bank-details'),
      },
    };
  });
  const parsed = person.nir ? parseNir(person.nir) : null;
  return {
    unreadLetters: rows.unreadLetters,
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
}
