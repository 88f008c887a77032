import { agentMay, type AgentPrincipal } from '#src/domain/agent-access.ts';
import { recordAgentAudit } from '#src/db/repositories/agents.ts';
import { demoPersonas, type Persona } from '#src/seed/demo.ts';
import { resetPersona, resettablePersonaKeys } from '#src/seed/reset.ts';
import type { Deps } from '../deps.ts';
import { throttleSubjectsOf } from './lookup.ts';

/** What each demo persona is for, on the « Dossiers de test » page. */
export const personaPurposes: Readonly<Record<string, string>> = {
  'allocataire-migre': 'Allocataire déjà passé au compte personnel : connexion, paiements, foyer.',
  'conjoint-sans-delegation': 'Conjoint sans délégation : pages réservées refusées.',
  'enfant-16': 'Enfant de 16 ans sans compte : activation par code.',
  'allocataire-non-migre':
    'Allocataire pas encore migré : première connexion avec l’ancien mot de passe.',
  'conjoint-non-migre': 'Conjoint pas encore migré, sans l’ancien mot de passe.',
  'enfant-dubois': 'Enfant du foyer Dubois.',
  'allocataire-leroy': 'Allocataire qui a donné délégation à son conjoint.',
  'conjoint-avec-delegation': 'Conjoint avec délégation : agit pour le foyer.',
  'enfant-leroy': 'Enfant du foyer Leroy.',
  'identifiant-provisoire': 'Connexion par identifiant provisoire ; attribution d’un NIR.',
  'foyer-sans-lien': 'Personne sans dossier : pas de données de foyer.',
  'primo-demandeur': 'Compte créé en ligne, sans dossier.',
  agent: 'Agent de démonstration (console des agents).',
};

export type TestDossiersOutcome =
  | {
      readonly ok: true;
      readonly personas: readonly (Persona & {
        readonly purpose: string;
        readonly resettable: boolean;
      })[];
    }
  | { readonly ok: false; readonly reason: 'forbidden' };

/** The demo personas and their credentials: outside production only (the route is not there). */
export function listTestDossiers(s: Deps, agent: AgentPrincipal): TestDossiersOutcome {
  if (s.config.env === 'production' || !agentMay(agent.role, 'test-dossiers'))
    return { ok: false, reason: 'forbidden' };
  return {
    ok: true,
    personas: demoPersonas().map((p) => ({
      ...p,
      purpose: personaPurposes[p.key] ?? '',
      resettable: resettablePersonaKeys().includes(p.key),
    })),
  };
}

export type ResetOutcome =
  { readonly ok: true } | { readonly ok: false; readonly reason: 'forbidden' | 'unknown' };

/** One persona back to its seeded state (src/seed/reset.ts), with the agent's audit row. */
export async function resetTestPersona(
  s: Deps,
  agent: AgentPrincipal,
  key: string,
): Promise<ResetOutcome> {
  if (s.config.env === 'production' || !agentMay(agent.role, 'test-dossiers'))
    return { ok: false, reason: 'forbidden' };
  if (!resettablePersonaKeys().includes(key)) return { ok: false, reason: 'unknown' };
  const id = await resetPersona(
    s.pool,
    s.hasher,
    key,
    (p) => throttleSubjectsOf(s, p),
    async (tx, personId) => {
      await recordAgentAudit(tx, {
        agentId: agent.agentId,
        action: 'agent:reinitialiser-persona',
        targetPersonId: personId,
        reason: 'test',
        details: { persona: key },
      });
    },
  );
  return id ? { ok: true } : { ok: false, reason: 'unknown' };
}
