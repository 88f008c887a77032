/**
 * Incident reports: was a display, logged in access_log, allowed to its viewer under the access
 * matrix as it stood at that moment? Pure: the caller supplies the viewer's memberships history.
 */
import type { DataCategory } from '#src/db/repositories/access-log.ts';
import { ageOn, isAllowed, type Action, type MemberRole } from '#src/domain/access.ts';

/** The matrix action that allows showing each access-log category. */
const actionOf: Readonly<Record<DataCategory, Action>> = {
  // A row with these shows the viewer's own person data.
  identite: 'own-data',
  coordonnees: 'own-data',
  // The dossier's summary: address, family situation, its members.
  adresse: 'dossier-summary',
  'situation-familiale': 'dossier-summary',
  membres: 'dossier-summary',
  paiements: 'payments',
  // Masked bank details are shown with the payments (docs/design.md §3, the payments row).
  'coordonnees-bancaires': 'payments',
  courriers: 'household-letters',
  'courriers-personnels': 'own-data',
  attestations: 'attestations',
  // Documents and declarations: the conjoint's own-name requests and drafts included.
  documents: 'own-name-requests',
  declarations: 'own-name-requests',
  demarches: 'dossier-summary',
  'demarches-personnelles': 'own-data',
};

function isKnownCategory(category: string): category is DataCategory {
  return Object.hasOwn(actionOf, category);
}

/**
 * The action a category needs; a category this code does not know (an old row, a later page)
 * needs the strictest one (the allocataire alone), so a report errs towards listing it.
 */
export function actionForCategory(category: string): Action {
  return isKnownCategory(category) ? actionOf[category] : 'manage-delegations';
}

/** One period of a person's membership of a dossier (dossier_member_history). */
export interface MembershipPeriod {
  readonly dossierId: string;
  readonly personId: string;
  readonly role: MemberRole;
  readonly delegation: boolean;
  readonly validFrom: Date;
  /** null: still current. */
  readonly validTo: Date | null;
}

export interface LoggedDisplay {
  readonly at: Date;
  readonly personId: string;
  readonly dossierId: string | null;
  readonly categories: readonly string[];
  /** The viewer's birth date (YYYY-MM-DD): the matrix decides on the age at the display. */
  readonly viewerBirthdate: string | null;
}

/** The viewer's membership of the dossier at that moment, if any. */
export function membershipAt(
  periods: readonly MembershipPeriod[],
  personId: string,
  dossierId: string,
  at: Date,
): MembershipPeriod | null {
  return (
    periods.find(
      (p) =>
        p.personId === personId &&
        p.dossierId === dossierId &&
        p.validFrom <= at &&
        (p.validTo === null || at < p.validTo),
    ) ?? null
  );
}

/** The categories of this display its viewer had no right to see then (empty: legitimate). */
export function foreignCategories(
  display: LoggedDisplay,
  periods: readonly MembershipPeriod[],
): string[] {
  const { dossierId } = display;
  if (dossierId === null) {
    // No dossier: only the viewer's own person data can have been shown.
    return display.categories.filter((c) => actionForCategory(c) !== 'own-data');
  }
  const period = membershipAt(periods, display.personId, dossierId, display.at);
  if (!period || !display.viewerBirthdate) return [...display.categories];
  const membership = {
    role: period.role,
    delegation: period.delegation,
    age: ageOn(display.viewerBirthdate, display.at),
  };
  return display.categories.filter((c) => !isAllowed(membership, actionForCategory(c)));
}
