import type { FastifyInstance } from 'fastify';
import { paths } from '../../paths.ts';

/** Links of the login page whose journeys open in later releases. */
const upcoming = [
  {
    path: paths.identifiantProvisoire,
    title: 'Se connecter avec un identifiant provisoire',
    text: 'Si vous n’avez pas encore de numéro de sécurité sociale, la Caf vous attribue un identifiant provisoire. En attendant l’ouverture de ce service, contactez votre Caf.',
  },
  {
    path: paths.creerMonCompte,
    title: 'Créer mon compte',
    text: 'Vous pourrez bientôt créer votre compte personnel avec votre numéro de sécurité sociale. En attendant, contactez votre Caf.',
  },
] as const;

export async function aVenirRoutes(app: FastifyInstance) {
  for (const page of upcoming) {
    app.get(page.path, async (_request, reply) =>
      reply.page('pages/a-venir/index.njk', { title: page.title, text: page.text }),
    );
  }
}
