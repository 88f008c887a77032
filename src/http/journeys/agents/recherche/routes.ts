import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parsePersonSearch } from '#src/domain/person-search.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { agentPaths, inScope, personPaths } from '../../../agent-paths.ts';
import { parseFrenchDate } from '../../../fields.ts';
import { fieldError } from '../../../forms.ts';
import { ForbiddenError } from '../../../plugins/errors.ts';
import { agentOf, agentPage } from '../../../plugins/agent-session.ts';

const searchQuery = z.object({
  q: z.string().max(40).catch(''),
  nom: z.string().max(100).catch(''),
  naissance: z.string().max(20).catch(''),
  envoye: z.string().max(2).optional().catch(undefined),
});

/** Look-up (conseiller, superviseur): a GET form, one page of results at most. */
export async function rechercheRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;
  app.get(inScope(agentPaths.recherche), async (request, reply) => {
    const agent = agentOf(request);
    const input = searchQuery.parse({ q: '', nom: '', naissance: '', ...(request.query ?? {}) });
    const values = { q: input.q, nom: input.nom, naissance: input.naissance };
    if (input.envoye === undefined)
      return agentPage(reply, 'pages/agents/recherche.njk', { values, results: null });
    const parsed = parsePersonSearch({
      ...values,
      birthdate: parseFrenchDate(input.naissance.trim()),
    });
    if (!parsed.ok)
      return agentPage(reply.code(400), 'pages/agents/recherche.njk', {
        values,
        results: null,
        errors: fieldError(parsed.field, parsed.message),
      });
    const outcome = await s.agents.search(agent, parsed.query);
    if (!outcome.ok) throw new ForbiddenError();
    return agentPage(reply, 'pages/agents/recherche.njk', {
      values,
      results: outcome.people.map((p) => ({ ...p, href: personPaths.motif(p.id) })),
      more: outcome.more,
    });
  });
}
