/** The agents' console (issue 9): every URL under /agents, its own realm (app.ts). */
export const AGENTS_PREFIX = '/agents';

export const agentPaths = {
  accueil: '/agents',
  connexion: '/agents/connexion',
  code: '/agents/connexion/code',
  deconnexion: '/agents/deconnexion',
  recherche: '/agents/recherche',
  personnes: '/agents/personnes',
  dossiersDeTest: '/agents/dossiers-de-test',
  equipe: '/agents/equipe',
  maintenance: '/agents/maintenance',
  incidents: '/agents/incidents',
} as const;

/** An incident's pages (issue 10), by its number. */
export const incidentPaths = {
  page: (id: string) => `${agentPaths.incidents}/${id}`,
  action: (id: string, action: string) => `${agentPaths.incidents}/${id}/${action}`,
  cnil: (id: string, format: 'pdf' | 'json') => `${agentPaths.incidents}/${id}/cnil.${format}`,
};

/** A person's pages, by the person's id (looked up again by the service, never trusted). */
export const personPaths = {
  fiche: (id: string) => `${agentPaths.personnes}/${id}`,
  motif: (id: string) => `${agentPaths.personnes}/${id}/motif`,
  intervention: (id: string, action: string) => `${agentPaths.personnes}/${id}/${action}`,
  attribuerNir: (id: string) => `${agentPaths.personnes}/${id}/attribuer-nir`,
};

/** A route's path inside the /agents scope (registered with that prefix). */
export function inScope(path: string): string {
  return path.slice(AGENTS_PREFIX.length) || '/';
}
