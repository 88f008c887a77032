import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ChannelUnavailableError } from '#src/notifications/notifier.ts';
import { HasherOverloadedError } from '#src/services/password-hasher.ts';

/** Thrown by a route when the access matrix refuses the principal this page or action. */
export class ForbiddenError extends Error {
  readonly statusCode = 403;
  constructor() {
    super('Refused by the access matrix');
    this.name = 'ForbiddenError';
  }
}

interface ErrorPage {
  readonly status: number;
  readonly title: string;
  readonly message: string;
  readonly retryAfter?: number;
}

const pages = {
  notFound: {
    status: 404,
    title: 'Page non trouvée',
    message:
      'La page que vous cherchez est introuvable. Excusez-nous pour la gêne occasionnée. Si vous avez tapé l’adresse web dans le navigateur, vérifiez qu’elle est correcte.',
  },
  badRequest: {
    status: 400,
    title: 'Requête invalide',
    message:
      'Les informations envoyées n’ont pas pu être lues. Revenez à la page précédente et réessayez.',
  },
  forbidden: {
    status: 403,
    title: 'Accès non autorisé',
    message:
      'Cette page ou cette action n’est pas ouverte à votre compte. Selon votre situation dans le foyer, elle est réservée à l’allocataire ou aux personnes à qui il a donné délégation.',
  },
  csrf: {
    status: 403,
    title: 'Formulaire expiré',
    message:
      'Pour votre sécurité, ce formulaire n’est plus valide. Revenez à la page précédente, rechargez-la et envoyez à nouveau le formulaire.',
  },
  channelUnavailable: {
    status: 503,
    title: 'Envoi momentanément impossible',
    message:
      'Nous ne pouvons pas envoyer de message par ce moyen pour le moment. Revenez à la page précédente pour choisir un autre moyen (courriel ou SMS), ou réessayez plus tard.',
    retryAfter: 60,
  },
  overloaded: {
    status: 503,
    title: 'Service très sollicité',
    message:
      'De nombreuses personnes se connectent en ce moment. Merci de réessayer dans quelques secondes.',
    retryAfter: 5,
  },
  unavailable: {
    status: 503,
    title: 'Service momentanément indisponible',
    message:
      'Mon Compte est momentanément indisponible. Aucune information n’a été enregistrée partiellement. Merci de réessayer dans quelques minutes.',
    retryAfter: 30,
  },
  internal: {
    status: 500,
    title: 'Erreur inattendue',
    message:
      'Une erreur inattendue s’est produite. Aucune information n’a été enregistrée partiellement. Merci de réessayer plus tard.',
  },
} satisfies Record<string, ErrorPage>;

// Connection-level failures of Postgres or the network (not bad queries): the service is down, not broken.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P03',
  '53300',
]);

function classify(error: FastifyError): ErrorPage {
  if (error instanceof HasherOverloadedError) return pages.overloaded;
  if (error instanceof ForbiddenError) return pages.forbidden;
  if (error instanceof ChannelUnavailableError) return pages.channelUnavailable;
  // Errors from pg or Node carry their own codes; some errors carry none.
  const code: unknown = error.code;
  const c = typeof code === 'string' ? code : '';
  if (c.startsWith('FST_CSRF')) return pages.csrf;
  if (c.startsWith('08') || UNAVAILABLE_CODES.has(c)) return pages.unavailable;
  if (/timeout exceeded when trying to connect|Connection terminated/i.test(error.message)) {
    return pages.unavailable;
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return { ...pages.badRequest, status };
  return pages.internal;
}

/** One error page for every failure: French text, no stack trace outside development. */
export const errorPages = fp(
  async (app: FastifyInstance, opts: { development: boolean }) => {
    const render = async (
      request: FastifyRequest,
      reply: FastifyReply,
      page: ErrorPage,
      detail?: string,
    ) => {
      reply.code(page.status).type('text/html; charset=utf-8');
      if (page.retryAfter) reply.header('retry-after', String(page.retryAfter));
      try {
        return await reply.page('errors/erreur.njk', { page, detail });
      } catch (renderError) {
        request.log.error({ err: renderError }, 'error page failed to render');
        return reply.send(
          `<!doctype html><html lang="fr"><title>${page.title}</title><h1>${page.title}</h1><p>${page.message}</p></html>`,
        );
      }
    };
    app.setNotFoundHandler((request, reply) => render(request, reply, pages.notFound));
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const page = classify(error);
      if (page.status >= 500) request.log.error({ err: error }, page.title);
      else request.log.info({ code: error.code }, page.title);
      return render(
        request,
        reply,
        page,
        opts.development && page.status >= 500 ? error.stack : undefined,
      );
    });
  },
  { name: 'error-pages', dependencies: ['views'] },
);
