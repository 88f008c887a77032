import type { FastifyInstance } from 'fastify';
import type { UseCases } from '#src/services/use-cases.ts';
import { setFlowCookie } from '../../flow-cookie.ts';
import { publicOrigin } from '../../franceconnect-offer.ts';
import { paths } from '../../paths.ts';

export async function deconnexionRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;

  app.get(paths.deconnexion, async (_request, reply) => reply.page('pages/deconnexion/index.njk'));

  app.post(paths.deconnexion, async (request, reply) => {
    const principal = request.principal;
    request.principal = null;
    const logout = principal
      ? await s.sessions.logOut(
          principal,
          publicOrigin(s, request) + paths.franceConnectDeconnexion,
        )
      : ({ to: 'local' } as const);
    // Opened through FranceConnect: on to the provider's logout (its state is checked on return).
    if (logout.to === 'provider') {
      request.session.regenerate();
      setFlowCookie(request, logout.flow);
      return reply.redirect(logout.url, 303);
    }
    if ('unavailable' in logout)
      request.log.warn({ err: logout.unavailable }, 'FranceConnect end_session indisponible');
    request.session.delete();
    return reply.redirect(paths.deconnexion, 303);
  });
}
