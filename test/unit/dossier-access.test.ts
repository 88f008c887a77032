import { describe, expect, it } from 'vitest';
import type { DossierRow } from '#src/db/repositories/dossiers.ts';
import type { MemberRole } from '#src/domain/access.ts';
import { chooseDossier, isRefusal, type DossierAccess } from '#src/services/dossier-access.ts';

function access(number: string, role: MemberRole, delegation = false, age = 40): DossierAccess {
  const dossier: DossierRow = {
    id: `id-${number}`,
    number,
    addressLine1: '1 rue de la Paix',
    addressLine2: null,
    postcode: '75002',
    city: 'Paris',
    familySituation: 'Marié(e)',
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
