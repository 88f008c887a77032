import type { FastifyInstance } from 'fastify';

/** Links of the login page whose journeys open in later releases. */
const upcoming: readonly { path: string; title: string; text: string }[] = [];

export async function aVenirRoutes(app: FastifyInstance) {
  for (const page of upcoming) {
    app.get(page.path, async (_request, reply) =>
      reply.page('pages/a-venir/index.njk', { title: page.title, text: page.text }),
    );
  }
}
