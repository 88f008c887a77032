import { describe, expect, it } from 'vitest';
import {
  agentActions,
  agentMay,
  agentRoles,
  type AgentAction,
  type AgentRole,
} from '#src/domain/agent-access.ts';

// The agents' matrix, cell by cell: a change in src/domain/agent-access.ts must change this table.
const expected: Readonly<Record<AgentAction, Readonly<Record<AgentRole, boolean>>>> = {
  home: { conseiller: true, testeur: true, superviseur: true },
  lookup: { conseiller: true, testeur: false, superviseur: true },
  intervene: { conseiller: true, testeur: false, superviseur: true },
  'assign-nir': { conseiller: true, testeur: false, superviseur: true },
  'test-dossiers': { conseiller: false, testeur: true, superviseur: true },
  supervise: { conseiller: false, testeur: false, superviseur: true },
};

describe('the agents’ matrix (role × action)', () => {
  for (const action of agentActions) {
    for (const role of agentRoles) {
      it(`${role} × ${action} → ${String(expected[action][role])}`, () => {
        expect(agentMay(role, action)).toBe(expected[action][role]);
      });
    }
  }

  it('covers every action of the domain', () => {
    expect(Object.keys(expected).sort()).toEqual([...agentActions].sort());
  });
});
