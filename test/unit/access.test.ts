import { describe, expect, it } from 'vitest';
import { ageOn, isAllowed, type Action, type Membership } from '#src/domain/access.ts';

const allocataire: Membership = { role: 'allocataire', delegation: false, age: 40 };
const conjointDelegation: Membership = { role: 'conjoint', delegation: true, age: 40 };
const conjoint: Membership = { role: 'conjoint', delegation: false, age: 40 };
const enfantDelegation: Membership = { role: 'enfant', delegation: true, age: 16 };
const enfant: Membership = { role: 'enfant', delegation: false, age: 16 };

// docs/design.md §3, row by row: allocataire, conjoint + délégation, conjoint, membre ≥ 15 + délégation, membre ≥ 15.
const table: readonly [Action, readonly [boolean, boolean, boolean, boolean, boolean]][] = [
  ['own-data', [true, true, true, true, true]],
  ['dossier-summary', [true, true, true, true, false]],
  ['payments', [true, true, false, true, false]],
  ['change-bank-details', [true, true, false, false, false]],
  ['household-requests', [true, true, false, true, false]],
  ['own-name-requests', [true, true, true, true, false]],
  ['attestations', [true, true, false, true, false]],
  ['declare-separation', [true, true, true, false, false]],
  ['declare-address-change', [true, true, false, true, false]],
  ['household-letters', [true, true, false, true, false]],
  ['manage-delegations', [true, false, false, false, false]],
  ['agent-information', [true, true, false, true, false]],
];
const columns = [allocataire, conjointDelegation, conjoint, enfantDelegation, enfant];

describe('access matrix', () => {
  for (const [action, expected] of table) {
    it(action, () => {
      expect(columns.map((m) => isAllowed(m, action))).toEqual(expected);
    });
  }

  it('treats another member aged 15 or more like a child of 15 or more', () => {
    for (const [action] of table) {
      expect(isAllowed({ role: 'autre', delegation: true, age: 30 }, action)).toBe(
        isAllowed(enfantDelegation, action),
      );
      expect(isAllowed({ role: 'autre', delegation: false, age: 30 }, action)).toBe(
        isAllowed(enfant, action),
      );
    }
  });

  it('gives nothing to a member under 15, whatever the role or delegation', () => {
    for (const [action] of table) {
      expect(isAllowed({ role: 'enfant', delegation: true, age: 14 }, action)).toBe(false);
    }
  });
});

describe('ageOn', () => {
  it('counts whole years, the birthday itself included', () => {
    expect(ageOn('2010-05-14', new Date('2025-05-13T12:00:00Z'))).toBe(14);
    expect(ageOn('2010-05-14', new Date('2025-05-14T00:00:00Z'))).toBe(15);
    expect(ageOn('2016-02-03', new Date('2026-11-22T00:00:00Z'))).toBe(10);
  });

  it('handles 29 February', () => {
    expect(ageOn('2008-02-29', new Date('2023-02-28T00:00:00Z'))).toBe(14);
    expect(ageOn('2008-02-29', new Date('2023-03-01T00:00:00Z'))).toBe(15);
  });
});
