import { hkdfSync } from 'node:crypto';
import secureSession from '@fastify/secure-session';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AgentPrincipal } from '#src/domain/agent-access.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { agentPaths } from '../agent-paths.ts';

declare module '@fastify/secure-session' {
  interface SessionData {
    /** Agents' realm only: the signed-in agent's id (beside `sid`). */
    aid: string;
    /** Agents' realm, between the password and the TOTP code: the agent and until when. */
    agentPending: string;
    agentPendingUntil: number;
    /** Agents' realm: the person whose file is open and why (`id|reason`). */
    consultation: string;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in agent (agents' realm only): a verified agent cookie and a live agent session. */
    agent: AgentPrincipal | null;
    agentSessionExpired: boolean;
  }
}

/** How long the password step waits for the TOTP code. */
export const PENDING_MS = 5 * 60_000;

/**
 * The agents' realm's session: its own cookie (`__Host-moncompte-agent`), its own keys (derived,
 * so a cookie of one realm does not even decrypt in the other) and its own session rows. Named
 * `session` so that the shared CSRF and same-origin plugins, which need one, run in this scope.
 */
export const agentSessionPlugin = fp(
  async (app: FastifyInstance, opts: { services: UseCases }) => {
    const { config, agents } = opts.services;
    const secure = config.secureCookies;
    const keys = config.sessionKeys.map((k) =>
      Buffer.from(hkdfSync('sha256', k, 'mon-compte', 'agent-cookie', 32)),
    );
    await app.register(secureSession, {
      sessionName: 'session',
      cookieName: secure ? '__Host-moncompte-agent' : 'moncompte-agent',
      key: keys,
      expiry: Math.ceil(config.session.absoluteMs / 1000),
      cookie: { path: '/', httpOnly: true, sameSite: 'strict', secure },
    });
    app.decorateRequest('agent', null);
    app.decorateRequest('agentSessionExpired', false);
    app.addHook('onRequest', async (request) => {
      const sid = request.session.get('sid');
      const aid = request.session.get('aid');
      if (typeof sid !== 'string' || typeof aid !== 'string') return;
      request.agent = await agents.resolve({ sid, aid });
      if (!request.agent) {
        request.session.regenerate();
        request.agentSessionExpired = true;
      }
    });
  },
  { name: 'session' },
);

export function agentOf(request: FastifyRequest): AgentPrincipal {
  if (!request.agent) throw new Error('route outside the agents’ guard');
  return request.agent;
}

/** An agents' page: the layout gets the agent and the console's paths. */
export function agentPage(
  reply: FastifyReply,
  template: string,
  context: Record<string, unknown> = {},
): FastifyReply {
  const agent = reply.request.agent;
  return reply.page(template, {
    ...context,
    agent: agent ? { displayName: agent.displayName, role: agent.role } : null,
    ap: agentPaths,
  });
}
