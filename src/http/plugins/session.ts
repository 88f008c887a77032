import secureSession, { type Session } from '@fastify/secure-session';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Principal } from '#src/domain/principal.ts';
import { menuOf, type AccountMenu, type DossierAccess } from '#src/services/dossier-access.ts';
import type { MaintenanceRead } from '#src/services/maintenance.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { paths } from '../paths.ts';
import { pageOfForm } from '../return-path.ts';

declare module '@fastify/secure-session' {
  interface SessionData {
    sid: string;
    pid: string;
    _csrf: string;
    /** Before login only: the area page an anonymous or expired visitor asked for. */
    retour: string;
    /** Before login only: the visitor's session ended while idle (the login page says so). */
    expiree: boolean;
    /** After login: the one success notice the next page shows (http/confirmation.ts). */
    confirmation: string;
  }
}

interface RememberData {
  nir: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated person of this request, from a verified cookie and a live session row. */
    principal: Principal | null;
    /**
     * The principal's dossiers and memberships, read in the same statement as the session (ADR
     * 0014); empty when anonymous. Display pages decide with the matrix on these.
     */
    dossiers: readonly DossierAccess[] | null;
    /** The maintenance row as the session's statement read it (null: not read yet). */
    maintenanceRead: MaintenanceRead | null;
    /** The header menu's dossier links, set by the authenticated area's guard (null elsewhere). */
    accountMenu: AccountMenu | null;
    /** The cookie named a session that has ended (idle, absolute limit or revoked). */
    sessionExpired: boolean;
    remember: Session<RememberData>;
  }
}

const YEAR_SECONDS = 365 * 24 * 3600;

/** Registered only in the personal scope of app.ts: never on static files or /sante (ADR 0006). */
export const sessionPlugin = fp(
  async (app: FastifyInstance, opts: { services: UseCases }) => {
    const { config, sessions } = opts.services;
    const secure = config.secureCookies;
    const cookie = { path: '/', httpOnly: true, sameSite: 'lax', secure } as const;
    await app.register(secureSession, [
      {
        sessionName: 'session',
        // __Host- needs Secure, so plain-HTTP local development uses an unprefixed name.
        cookieName: secure ? '__Host-moncompte' : 'moncompte',
        key: [...config.sessionKeys],
        expiry: Math.ceil(config.session.absoluteMs / 1000),
        cookie,
      },
      {
        // "Se souvenir de moi": the NIR only, encrypted, never a session.
        sessionName: 'remember',
        cookieName: secure ? '__Host-moncompte-nir' : 'moncompte-nir',
        key: [...config.sessionKeys],
        expiry: YEAR_SECONDS,
        cookie: { ...cookie, maxAge: YEAR_SECONDS },
      },
    ]);

    app.decorateRequest('principal', null);
    app.decorateRequest('accountMenu', null);
    app.decorateRequest('dossiers', null);
    app.decorateRequest('maintenanceRead', null);
    app.decorateRequest('sessionExpired', false);
    app.addHook('onRequest', async (request) => {
      const sid = request.session.get('sid');
      const pid = request.session.get('pid');
      if (typeof sid !== 'string' || typeof pid !== 'string') return;
      const context = await sessions.start({ sid, pid });
      request.principal = context.principal;
      request.dossiers = context.dossiers;
      request.maintenanceRead = context.maintenance;
      // A revoked or expired session leaves nothing behind in the browser either.
      if (!request.principal) {
        request.session.regenerate();
        request.sessionExpired = true;
      }
    });
  },
  { name: 'session' },
);

/**
 * The authenticated area's one guard (http/journeys/authenticated-area.ts): anonymous visitors
 * go to the login page; signed-in ones get their menu's dossier links. A preHandler, so the
 * personal scope's CSRF check still runs first on forms, as it did per route.
 */
export function requirePrincipal() {
  return async function guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!request.principal) {
      await sendToLogin(request, reply);
      return;
    }
    // The memberships read with the session: the menu costs no query.
    request.accountMenu = menuOf(dossiersOf(request));
  };
}

/**
 * To the login page, remembering (in the encrypted pre-login cookie) the page to come back to
 * and whether the session had expired; the login page reads both.
 */
export function sendToLogin(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const page = pageOfForm(request.server, request.url);
  if (page) request.session.set('retour', page);
  if (request.sessionExpired) request.session.set('expiree', true);
  return reply.redirect(paths.connexion, 303);
}

/** The request's principal, inside the authenticated area (whose guard ran before any handler). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route outside the authenticated area');
  return request.principal;
}

/**
 * The principal's dossiers and memberships as read with the session (ADR 0014), inside the
 * authenticated area: what display pages hand to their use case with the principal.
 */
export function dossiersOf(request: FastifyRequest): readonly DossierAccess[] {
  principalOf(request);
  if (!request.dossiers) throw new Error('the session statement has not run');
  return request.dossiers;
}
