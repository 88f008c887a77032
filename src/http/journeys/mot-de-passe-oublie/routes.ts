import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { recoveryFlow } from '#src/services/flow-definitions.ts';
import { startFlow } from '#src/services/flows.ts';
import type { Services } from '#src/services/index.ts';
import {
  completeRecovery,
  readRecovery,
  readVerifiedRecovery,
  resendRecoveryCode,
  startRecovery,
  verifyRecoveryCode,
} from '#src/services/recovery.ts';
import { devicesOf } from '../../device-cookie.ts';
import { fieldError, formErrors, formValues } from '../../forms.ts';
import { flowIdOf, setFlowCookie } from '../../flow-cookie.ts';
import { newPasswordForm, policyErrors } from '../../new-password.ts';
import { paths } from '../../paths.ts';
import { loginContextOf, retryTime, setSessionCookie } from '../../sign-in.ts';
import { birthdateField, nirField } from '../../fields.ts';
import { CODE_FAILED, codeForm } from '../premiere-connexion/forms.ts';

const VIEWS = 'pages/mot-de-passe-oublie';

const recoveryForm = z.object({ nir: nirField, birthdate: birthdateField });

/** Too many requests for this identifier and birth date, or from this address. */
export function recoveryThrottledMessage(retryAt: Date): string {
  return `Trop de demandes. Par sécurité, réessayez à partir de ${retryTime(retryAt)}.`;
}

/**
 * "Mot de passe oublié ?": NIR + date of birth → a code to a known contact → a new password.
 * Serves both account holders and people whose first connection lacks the old password.
 * Every answer before the new password is the same whether or not the NIR exists.
 */
export async function motDePasseOublieRoutes(app: FastifyInstance, opts: { services: Services }) {
  const s = opts.services;

  app.get(paths.motDePasseOublie, async (_request, reply) =>
    reply.page(`${VIEWS}/index.njk`, { values: {} }),
  );

  app.post(paths.motDePasseOublie, async (request, reply) => {
    const values = formValues(request.body, ['nir', 'birthdate']);
    const form = recoveryForm.safeParse(request.body);
    if (!form.success) {
      return reply.code(400).page(`${VIEWS}/index.njk`, {
        values,
        errors: formErrors(form.error, ['nir', 'birthdate']),
      });
    }
    const started = await startRecovery(s, {
      ...form.data,
      clientIp: request.ip,
      devices: devicesOf(request, s),
    });
    if (!started.ok) {
      return reply.code(429).page(`${VIEWS}/index.njk`, {
        values,
        errors: fieldError('nir', recoveryThrottledMessage(started.retryAt)),
      });
    }
    // A flow in every case (person null when nothing matched): same cookie, same redirect.
    const flow = await startFlow(s, recoveryFlow, {
      personId: started.personId,
      state: { codeVerified: null },
    });
    request.session.regenerate();
    setFlowCookie(request, flow);
    return reply.redirect(paths.motDePasseOublieCode, 303);
  });

  app.get(paths.motDePasseOublieCode, async (request, reply) => {
    if (!(await readRecovery(s, flowIdOf(request))))
      return reply.redirect(paths.motDePasseOublie, 303);
    return reply.page(`${VIEWS}/code.njk`, {});
  });

  app.post(paths.motDePasseOublieCode, async (request, reply) => {
    const flow = await readRecovery(s, flowIdOf(request));
    if (!flow) return reply.redirect(paths.motDePasseOublie, 303);
    if (formValues(request.body, ['action']).action === 'renvoyer') {
      if (flow.personId) await resendRecoveryCode(s, flow.personId);
      return reply.page(`${VIEWS}/code.njk`, { resent: true });
    }
    const form = codeForm.safeParse(request.body);
    if (!form.success)
      return reply
        .code(400)
        .page(`${VIEWS}/code.njk`, { errors: formErrors(form.error, ['code']) });
    const check = await verifyRecoveryCode(s, flow.id, form.data.code, request.ip);
    if (check === 'gone') return reply.redirect(paths.motDePasseOublie, 303);
    if (!check.ok) {
      const message =
        check.reason === 'throttled'
          ? `Trop de codes erronés. Réessayez à partir de ${retryTime(check.retryAt)}.`
          : CODE_FAILED;
      return reply
        .code(check.reason === 'throttled' ? 429 : 400)
        .page(`${VIEWS}/code.njk`, { errors: fieldError('code', message) });
    }
    return reply.redirect(paths.motDePasseOublieNouveau, 303);
  });

  app.get(paths.motDePasseOublieNouveau, async (request, reply) => {
    if (!(await readVerifiedRecovery(s, flowIdOf(request))))
      return reply.redirect(paths.motDePasseOublie, 303);
    return reply.page(`${VIEWS}/nouveau.njk`, {});
  });

  app.post(paths.motDePasseOublieNouveau, async (request, reply) => {
    const form = newPasswordForm.safeParse(request.body);
    if (!form.success) {
      if (!(await readVerifiedRecovery(s, flowIdOf(request))))
        return reply.redirect(paths.motDePasseOublie, 303);
      return reply
        .code(400)
        .page(`${VIEWS}/nouveau.njk`, { errors: formErrors(form.error, ['password']) });
    }
    const done = await completeRecovery(s, {
      flowId: flowIdOf(request),
      password: form.data.password,
      login: loginContextOf(request),
    });
    // Consumed already (a replayed cookie, a double submit) or expired: start again.
    if (!done.ok && done.reason === 'gone') return reply.redirect(paths.motDePasseOublie, 303);
    if (!done.ok)
      return reply.code(400).page(`${VIEWS}/nouveau.njk`, { errors: policyErrors(done.problems) });
    setSessionCookie(request, done.session);
    return reply.redirect(paths.monCompte, 303);
  });
}
