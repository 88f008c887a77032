import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { UseCases } from '#src/services/use-cases.ts';
import { agentPaths, inScope } from '../../../agent-paths.ts';
import { fieldError, formErrors, formValues, type FormErrors } from '../../../forms.ts';
import { agentPage, PENDING_MS } from '../../../plugins/agent-session.ts';
import { loginContextOf } from '../../../session-cookie.ts';
import { throttled } from '../../../steps/throttled.ts';

const VIEWS = 'pages/agents/connexion';
export const AGENT_LOGIN_INVALID = 'Identifiant ou mot de passe incorrect.';
export const AGENT_CODE_INVALID =
  'Code incorrect ou déjà utilisé. Saisissez le code à 6 chiffres affiché maintenant par votre application.';

const loginForm = z.object({
  login: z.string().trim().min(1, 'Saisissez votre identifiant.').max(100, AGENT_LOGIN_INVALID),
  // The same bounds as the public side's passwords (8 to 24 characters, checked by the hash).
  password: z.string().min(1, 'Saisissez votre mot de passe.').max(128, AGENT_LOGIN_INVALID),
});
const codeForm = z.object({
  code: z
    .string()
    .trim()
    .min(1, 'Saisissez le code à 6 chiffres de votre application d’authentification.')
    .max(20, AGENT_CODE_INVALID),
});

/** The agent waiting for their TOTP code (set by the password step, for five minutes). */
function pendingAgent(request: FastifyRequest, now: Date): string | null {
  const id = request.session.get('agentPending');
  const until = request.session.get('agentPendingUntil');
  if (typeof id !== 'string' || typeof until !== 'number' || until < now.getTime()) return null;
  return id;
}

/** /agents/connexion: identifier and password, then /agents/connexion/code: the TOTP code. */
export async function agentConnexionRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;

  const loginPage = (reply: FastifyReply, status = 200, errors?: FormErrors, values = {}) =>
    agentPage(reply.code(status), `${VIEWS}/index.njk`, {
      errors,
      values,
      expired: reply.request.agentSessionExpired,
    });

  app.get(inScope(agentPaths.connexion), async (request, reply) =>
    request.agent ? reply.redirect(agentPaths.accueil, 303) : loginPage(reply),
  );

  app.post(inScope(agentPaths.connexion), async (request, reply) => {
    const values = formValues(request.body, ['login']);
    const parsed = loginForm.safeParse(request.body);
    if (!parsed.success)
      return loginPage(reply, 400, formErrors(parsed.error, ['login', 'password']), values);
    const outcome = await s.agents.checkPassword({ ...parsed.data, clientIp: request.ip });
    if (!outcome.ok) {
      if (outcome.reason === 'throttled') {
        const t = throttled('password', outcome.retryAt);
        return loginPage(reply, t.status, t.errors, values);
      }
      return loginPage(reply, 401, fieldError('password', AGENT_LOGIN_INVALID), values);
    }
    // Nothing from before the password survives; the code step reads only these two fields.
    request.session.regenerate();
    request.session.set('agentPending', outcome.agentId);
    request.session.set('agentPendingUntil', s.now().getTime() + PENDING_MS);
    return reply.redirect(agentPaths.code, 303);
  });

  const codePage = async (
    reply: FastifyReply,
    agentId: string,
    status = 200,
    errors?: FormErrors,
  ) =>
    agentPage(reply.code(status), `${VIEWS}/code.njk`, {
      enrolment: await s.agents.enrolment(agentId),
      errors,
    });

  app.get(inScope(agentPaths.code), async (request, reply) => {
    const agentId = pendingAgent(request, s.now());
    if (!agentId) return reply.redirect(agentPaths.connexion, 303);
    return codePage(reply, agentId);
  });

  app.post(inScope(agentPaths.code), async (request, reply) => {
    const agentId = pendingAgent(request, s.now());
    if (!agentId) return reply.redirect(agentPaths.connexion, 303);
    const parsed = codeForm.safeParse(request.body);
    if (!parsed.success) return codePage(reply, agentId, 400, formErrors(parsed.error, ['code']));
    const outcome = await s.agents.checkCode({
      agentId,
      code: parsed.data.code,
      clientIp: request.ip,
      context: loginContextOf(request),
    });
    if (!outcome.ok) {
      if (outcome.reason === 'throttled') {
        const t = throttled('code', outcome.retryAt);
        return codePage(reply, agentId, t.status, t.errors);
      }
      return codePage(reply, agentId, 401, fieldError('code', AGENT_CODE_INVALID));
    }
    request.session.regenerate();
    request.session.set('sid', outcome.session.sid);
    request.session.set('aid', outcome.session.aid);
    return reply.redirect(agentPaths.accueil, 303);
  });

  app.post(inScope(agentPaths.deconnexion), async (request, reply) => {
    if (request.agent) await s.agents.logOut(request.agent);
    request.session.delete();
    return reply.redirect(agentPaths.connexion, 303);
  });
}
