import { describe, expect, it } from 'vitest';
import type { DataCategory } from '#src/db/repositories/access-log.ts';
import type { MemberRole } from '#src/domain/access.ts';
import {
  actionForCategory,
  foreignCategories,
  membershipAt,
  type MembershipPeriod,
} from '#src/services/incidents/entitlement.ts';

// Cell by cell: may each matrix column see each access-log category (docs/design.md §3)?
// Columns: allocataire, conjoint + délégation, conjoint, membre ≥ 15 + délégation, membre ≥ 15.
const table: readonly [DataCategory, readonly [boolean, boolean, boolean, boolean, boolean]][] = [
  ['identite', [true, true, true, true, true]],
  ['coordonnees', [true, true, true, true, true]],
  ['adresse', [true, true, true, true, false]],
  ['situation-familiale', [true, true, true, true, false]],
  ['membres', [true, true, true, true, false]],
  ['paiements', [true, true, false, true, false]],
  // The masked RIB is shown with the payments (the dashboard): not only to who may change it.
  ['coordonnees-bancaires', [true, true, false, true, false]],
  ['courriers', [true, true, false, true, false]],
  ['courriers-personnels', [true, true, true, true, true]],
  ['attestations', [true, true, false, true, false]],
  ['documents', [true, true, true, true, false]],
  ['declarations', [true, true, true, true, false]],
  ['demarches', [true, true, true, true, false]],
  ['demarches-personnelles', [true, true, true, true, true]],
];
const columns: readonly [MemberRole, boolean][] = [
  ['allocataire', false],
  ['conjoint', true],
  ['conjoint', false],
  ['enfant', true],
  ['enfant', false],
];

const T0 = new Date('2021-10-01T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const period = (
  role: MemberRole,
  delegation: boolean,
  from: Date,
  to: Date | null = null,
): MembershipPeriod => ({
  dossierId: 'D',
  personId: 'P',
  role,
  delegation,
  validFrom: from,
  validTo: to,
});
const display = (categories: string[], when = at(30), dossierId: string | null = 'D') => ({
  at: when,
  personId: 'P',
  dossierId,
  categories,
  viewerBirthdate: '1990-01-01',
});

describe('incident entitlement: the matrix as it stood at each display', () => {
  for (const [category, expected] of table) {
    it(category, () => {
      const allowed = columns.map(
        ([role, delegation]) =>
          foreignCategories(display([category]), [period(role, delegation, at(-60))]).length === 0,
      );
      expect(allowed).toEqual(expected);
    });
  }

  it('maps every category to an action, unknown ones to the strictest', () => {
    expect(actionForCategory('paiements')).toBe('payments');
    expect(actionForCategory('une-categorie-future')).toBe('manage-delegations');
    const conjointDelegation = [period('conjoint', true, at(-60))];
    expect(foreignCategories(display(['une-categorie-future']), conjointDelegation)).toEqual([
      'une-categorie-future',
    ]);
  });

  it('a delegation granted after the display does not make it legitimate', () => {
    const history = [period('conjoint', false, at(-60), at(45)), period('conjoint', true, at(45))];
    expect(foreignCategories(display(['paiements'], at(30)), history)).toEqual(['paiements']);
    expect(foreignCategories(display(['paiements'], at(50)), history)).toEqual([]);
  });

  it('a delegation withdrawn before the display does not cover it', () => {
    const history = [period('conjoint', true, at(-60), at(10)), period('conjoint', false, at(10))];
    expect(foreignCategories(display(['paiements'], at(30)), history)).toEqual(['paiements']);
  });

  it('someone not a member then sees nothing of the dossier, not even the summary', () => {
    const left = [period('conjoint', true, at(-60), at(20))];
    expect(membershipAt(left, 'P', 'D', at(30))).toBeNull();
    expect(foreignCategories(display(['membres', 'identite'], at(30)), left)).toEqual([
      'membres',
      'identite',
    ]);
    expect(foreignCategories(display(['membres'], at(30)), [])).toEqual(['membres']);
  });

  it('without a dossier, only one’s own person data', () => {
    expect(foreignCategories(display(['identite', 'coordonnees'], at(30), null), [])).toEqual([]);
    expect(foreignCategories(display(['paiements'], at(30), null), [])).toEqual(['paiements']);
  });

  it('a member under 15 at the display sees nothing, even with a delegation', () => {
    const young = { ...display(['paiements']), viewerBirthdate: '2010-01-01' };
    expect(foreignCategories(young, [period('enfant', true, at(-60))])).toEqual(['paiements']);
  });
});
