import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isConnectionError, isTransientDatabaseError } from '#src/connection-errors.ts';
import { ChannelUnavailableError } from '#src/notifications/notifier.ts';
import { HasherOverloadedError } from '#src/services/password-hasher.ts';
import { AccountSuspendedError } from '#src/services/suspension.ts';
import { paths } from '../paths.ts';
import { ServerDrainingError } from './draining.ts';

/** The wording of a refusal on the one 403 page, when a journey says more than the default. */
export interface Refusal {
  readonly title: string;
  readonly message: string;
}

/**
 * The one refusal path: a service says forbidden, the route throws this, the 403 page answers.
 * A journey may name its refusal (title and message); the page and status stay the same.
 */
export class ForbiddenError extends Error {
  readonly statusCode = 403;
  readonly refusal: Refusal | undefined;
  constructor(refusal?: Refusal) {
    super('Refused by the access matrix');
    this.name = 'ForbiddenError';
    this.refusal = refusal;
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
  suspended: {
    status: 403,
    title: 'Compte suspendu',
    message:
      'L’accès à votre compte a été suspendu par la Caf. Pour en savoir plus et le rétablir, contactez votre Caf au 3230 (service gratuit + prix d’un appel) ou rendez-vous à l’accueil de votre Caf.',
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
  closing: {
    status: 503,
    title: 'Service momentanément indisponible',
    message:
      'Mon Compte redémarre. Aucune information n’a été enregistrée partiellement. Merci de réessayer dans quelques secondes.',
    retryAfter: 5,
  },
  headersTooLarge: {
    status: 431,
    title: 'Requête trop volumineuse',
    message:
      'Votre navigateur a envoyé des informations trop volumineuses (souvent des cookies accumulés). Supprimez les cookies de ce site dans votre navigateur, puis réessayez.',
  },
  timeout: {
    status: 408,
    title: 'Délai dépassé',
    message:
      'La requête n’est pas arrivée complètement à temps. Vérifiez votre connexion à Internet, puis réessayez.',
  },
  internal: {
    status: 500,
    title: 'Erreur inattendue',
    message:
      'Une erreur inattendue s’est produite. Aucune information n’a été enregistrée partiellement. Merci de réessayer plus tard.',
  },
} satisfies Record<string, ErrorPage>;

/** Which French page answers an error (exported for its unit test). */
export function classify(error: FastifyError): ErrorPage {
  if (error instanceof HasherOverloadedError) return pages.overloaded;
  if (error instanceof ForbiddenError) return { ...pages.forbidden, ...error.refusal };
  if (error instanceof AccountSuspendedError) return pages.suspended;
  if (error instanceof ChannelUnavailableError) return pages.channelUnavailable;
  if (error instanceof ServerDrainingError) return pages.closing;
  // Errors from pg or Node carry their own codes; some errors carry none.
  const code: unknown = error.code;
  if (typeof code === 'string' && code.startsWith('FST_CSRF')) return pages.csrf;
  if (isConnectionError(error) || isTransientDatabaseError(error)) return pages.unavailable;
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return { ...pages.badRequest, status };
  return pages.internal;
}

/** `/sante` is read by load balancers: JSON on every path, error pages included. */
function isHealthCheck(request: FastifyRequest): boolean {
  return request.url.split('?')[0] === paths.sante;
}

/** One error page for every failure: French text; stack traces go to the log, never to the page. */
export const errorPages = fp(
  async (app: FastifyInstance) => {
    const render = async (request: FastifyRequest, reply: FastifyReply, page: ErrorPage) => {
      reply.code(page.status);
      if (page.retryAfter) reply.header('retry-after', String(page.retryAfter));
      if (isHealthCheck(request)) {
        return reply.send({
          status: page === pages.unavailable ? 'database-unavailable' : 'error',
        });
      }
      reply.type('text/html; charset=utf-8');
      try {
        return await reply.page('errors/erreur.njk', { page });
      } catch (renderError) {
        request.log.error({ err: renderError }, 'error page failed to render');
        return reply.send(staticPage(page));
      }
    };
    app.setNotFoundHandler((request, reply) => render(request, reply, pages.notFound));
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const page = classify(error);
      if (page.status >= 500) request.log.error({ err: error }, page.title);
      else request.log.info({ code: error.code }, page.title);
      return render(request, reply, page);
    });
  },
  { name: 'error-pages', dependencies: ['views'] },
);

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

/** A whole page without templates, for when there is no request to render one with. */
function staticPage(page: ErrorPage): string {
  const title = escapeHtml(page.title);
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${title} - Mon Compte</title><link rel="stylesheet" href="/static/dsfr/dsfr.min.css"></head><body><main class="fr-container fr-my-7w"><h1>${title}</h1><p class="fr-text--sm">Erreur ${String(page.status)}</p><p class="fr-text--lead">${escapeHtml(page.message)}</p><p><a class="fr-btn" href="${paths.accueil}">Page d’accueil</a></p></main></body></html>`;
}

/**
 * Errors Node's HTTP parser raises before there is a request (headers too large, malformed
 * request line, timeout): Fastify's default answers English JSON; we answer the French page.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  error: Error & { code?: string },
  socket: Duplex,
): void {
  // A reset connection has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const page =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? pages.headersTooLarge
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? pages.timeout
        : pages.badRequest;
  this.log.info({ code: error.code }, page.title);
  if (!socket.writable) {
    socket.destroy(error);
    return;
  }
  const body = staticPage(page);
  socket.end(
    [
      `HTTP/1.1 ${String(page.status)} ${STATUS_CODES[page.status] ?? ''}`,
      'Content-Type: text/html; charset=utf-8',
      `Content-Length: ${String(Buffer.byteLength(body))}`,
      'Cache-Control: no-store',
      'X-Content-Type-Options: nosniff',
      "Content-Security-Policy: default-src 'none'; style-src 'self'",
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}
