import path from 'node:path';
import view from '@fastify/view';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import nunjucks from 'nunjucks';
import { projectRoot } from '#src/config.ts';
import { paths } from '../paths.ts';
import { registerFilters } from '../nunjucks/filters.ts';
import { frenchSpacing } from '../typography.ts';

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a page with the context every page needs, taken from this request only. */
    page(template: string, context?: Record<string, unknown>): FastifyReply;
  }
}

/** Nunjucks is configured once here; request data reaches templates only as render context. */
export const views = fp(
  async (app: FastifyInstance, opts: { development: boolean }) => {
    await app.register(view, {
      engine: { nunjucks },
      root: path.join(projectRoot, 'views'),
      options: {
        autoescape: true,
        throwOnUndefined: false,
        noCache: opts.development,
        onConfigure: (env: nunjucks.Environment) => {
          registerFilters(env);
          env.addGlobal('paths', paths);
        },
      },
    });
    app.decorateReply('page', function (this: FastifyReply, template: string, context = {}) {
      const request = this.request;
      return this.view(template, {
        ...context,
        csrfToken: this.generateCsrf(),
        currentUser: request.principal ? { displayName: request.principal.displayName } : null,
        accountMenu: request.accountMenu,
        maintenanceNotice: request.maintenanceNotice,
        currentPath: request.url.split('?')[0],
      });
    });
    // Every rendered page, whatever its template: no line break before « ? : ; ! ».
    app.addHook('onSend', (_request, reply, payload, done) => {
      const type = reply.getHeader('content-type');
      const html =
        typeof payload === 'string' && typeof type === 'string' && type.startsWith('text/html');
      done(null, html ? frenchSpacing(payload) : payload);
    });
  },
  { name: 'views', dependencies: ['csrf', 'security-headers'] },
);
