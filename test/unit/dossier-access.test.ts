import { describe, expect, it } from 'vitest';
import type { DossierRow } from '#src/db/repositories/dossiers.ts';
import type { MemberRole } from '#src/domain/access.ts';
import { isAllowed, type Membership } from '#src/domain/access.ts';
import {
  chooseDossier,
  isRefusal,
  menuOf,
  type AccountMenu,
  type DossierAccess,
} from '#src/services/dossier-access.ts';

function access(number: string, role: MemberRole, delegation = false, age = 40): DossierAccess {
  const dossier: DossierRow = {
    id: `id-${number}`,
    number,
    addressLine1: '1 rue de la Paix',
    addressLine2: null,
    postcode: '75002',
    city: 'Paris',
    familySituation: 'Marié(e)',
    declarationCycle: null,
    iban: null,
    bic: null,
  };
  return { ok: true, dossier, membership: { role, delegation, age } };
}

describe('chooseDossier: one rule for "which dossier is mine"', () => {
  it('takes the first dossier, in the rule’s order, whose matrix column allows the action', () => {
    const dossiers = [access('1', 'allocataire'), access('2', 'conjoint', true)];
    expect(chooseDossier(dossiers, 'manage-delegations')).toMatchObject({
      dossier: { number: '1' },
    });
    const asConjoint = [access('2', 'conjoint'), access('3', 'enfant', true)];
    expect(chooseDossier(asConjoint, 'payments')).toMatchObject({ dossier: { number: '3' } });
    expect(chooseDossier(asConjoint, 'dossier-summary')).toMatchObject({
      dossier: { number: '2' },
    });
  });

  it('refuses with the reason: no dossier at all, or none that allows the action', () => {
    expect(chooseDossier([], 'dossier-summary')).toEqual({ ok: false, reason: 'no-dossier' });
    expect(chooseDossier([access('2', 'conjoint')], 'change-bank-details')).toEqual({
      ok: false,
      reason: 'forbidden',
    });
    expect(chooseDossier([access('1', 'allocataire', false, 14)], 'own-data')).toEqual({
      ok: false,
      reason: 'forbidden',
    });
  });

  it('tells the matrix’s refusals from a journey’s own answers', () => {
    expect(isRefusal('forbidden')).toBe(true);
    expect(isRefusal('no-dossier')).toBe(true);
    expect(isRefusal('too-young')).toBe(false);
  });
});

describe('menuOf: the header menu’s dossier links, per role (docs/design.md §3)', () => {
  const roles: [string, Membership & { role: MemberRole }][] = [
    ['allocataire', { role: 'allocataire', delegation: false, age: 40 }],
    ['conjoint avec délégation', { role: 'conjoint', delegation: true, age: 38 }],
    ['conjoint sans délégation', { role: 'conjoint', delegation: false, age: 42 }],
    ['enfant de 16 ans avec délégation', { role: 'enfant', delegation: true, age: 16 }],
    ['enfant de 16 ans', { role: 'enfant', delegation: false, age: 16 }],
    ['autre membre', { role: 'autre', delegation: false, age: 70 }],
  ];
  for (const [name, m] of roles) {
    it(`${name}: each link where the matrix allows something there`, () => {
      const menu = menuOf([access('1', m.role, m.delegation, m.age)]);
      const expected: AccountMenu = {
        payments: isAllowed(m, 'payments'),
        // Letters addressed to oneself, one's own démarches and documents: every member.
        letters: true,
        demarches: true,
        attestations: isAllowed(m, 'attestations'),
        documents: true,
        household: isAllowed(m, 'dossier-summary'),
        bankDetails: isAllowed(m, 'change-bank-details'),
      };
      expect(menu).toEqual(expected);
    });
  }

  it('spells the matrix out for the two ends: the allocataire gets all, a child without delegation her own', () => {
    expect(Object.values(menuOf([access('1', 'allocataire')])).every(Boolean)).toBe(true);
    expect(menuOf([access('1', 'enfant', false, 16)])).toEqual({
      payments: false,
      letters: true,
      demarches: true,
      attestations: false,
      documents: true,
      household: false,
      bankDetails: false,
    });
    expect(menuOf([access('1', 'conjoint')])).toMatchObject({
      payments: false,
      attestations: false,
      household: true,
    });
  });

  it('opens a page through any of the person’s dossiers, and nothing without a dossier', () => {
    expect(menuOf([access('2', 'conjoint'), access('3', 'enfant', true, 17)])).toMatchObject({
      payments: true,
      attestations: true,
      bankDetails: false,
    });
    expect(Object.values(menuOf([])).some(Boolean)).toBe(false);
  });
});
