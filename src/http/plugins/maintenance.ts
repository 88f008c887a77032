import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { isExemptFromMaintenance, MAINTENANCE_TEXT } from '#src/domain/maintenance.ts';
import type { UseCases } from '#src/services/use-cases.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** A planned maintenance window not begun yet: the layout's notice banner shows its dates. */
    maintenanceNotice: { readonly startsAt: Date; readonly endsAt: Date | null } | null;
  }
}

/**
 * Maintenance mode (ADR 0012), in the personal scope after the session plugin (the page needs
 * its CSRF context): while on, every page answers the 503 maintenance page; before a planned
 * window, every page carries the notice. Static files, /sante and /agents are not affected.
 */
export const maintenanceMode = fp(
  async (app: FastifyInstance, opts: { services: UseCases }) => {
    const { maintenance } = opts.services;
    app.decorateRequest('maintenanceNotice', null);
    app.addHook('onRequest', async (request, reply) => {
      if (isExemptFromMaintenance(request.url)) return;
      // A signed-in request read the row with its session (ADR 0014): no second read.
      const read = request.maintenanceRead;
      const state = read ? await maintenance.of(read) : await maintenance.current();
      if (state.mode === 'planned') {
        request.maintenanceNotice = { startsAt: state.startsAt, endsAt: state.endsAt };
        return;
      }
      if (state.mode !== 'on') return;
      // The page names no one: the header shows no account while the site is closed.
      request.principal = null;
      request.accountMenu = null;
      reply.code(503).header('retry-after', String(state.retryAfterSeconds));
      reply.type('text/html; charset=utf-8');
      return reply.page('errors/maintenance.njk', {
        text: MAINTENANCE_TEXT,
        message: state.message,
        endsAt: state.endsAt,
      });
    });
  },
  { name: 'maintenance-mode', dependencies: ['views', 'session'] },
);
