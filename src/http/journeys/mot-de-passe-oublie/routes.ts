import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { UseCases } from '#src/services/use-cases.ts';
import { devicesOf } from '../../device-cookie.ts';
import { formErrors, formValues } from '../../forms.ts';
import { flowIdOf, setFlowCookie } from '../../flow-cookie.ts';
import { confirmOnArrival } from '../../confirmation.ts';
import { paths } from '../../paths.ts';
import { loginContextOf, setSessionCookie } from '../../session-cookie.ts';
import { birthdateField, nirField } from '../../fields.ts';
import { codeForm, codeRefused } from '../../steps/code.ts';
import { newPasswordForm, policyErrors } from '../../steps/password.ts';
import { throttled } from '../../steps/throttled.ts';

const VIEWS = 'pages/mot-de-passe-oublie';

const recoveryForm = z.object({ nir: nirField, birthdate: birthdateField });

/**
 * "Mot de passe oublié ?": NIR + date of birth → a code to a known contact → a new password.
 * Serves both account holders and people whose first connection lacks the old password.
 * Every answer before the new password is the same whether or not the NIR exists.
 */
export async function motDePasseOublieRoutes(app: FastifyInstance, opts: { services: UseCases }) {
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
    const started = await s.recovery.start({
      identifier: { kind: 'nir', nir: form.data.nir },
      birthdate: form.data.birthdate,
      clientIp: request.ip,
      devices: devicesOf(request, s),
    });
    if (!started.ok) {
      const refused = throttled('nir', started.retryAt);
      return reply.code(refused.status).page(`${VIEWS}/index.njk`, {
        values,
        errors: refused.errors,
      });
    }
    request.session.regenerate();
    setFlowCookie(request, started.flow);
    return reply.redirect(paths.motDePasseOublieCode, 303);
  });

  app.get(paths.motDePasseOublieCode, async (request, reply) => {
    if (!(await s.recovery.read(flowIdOf(request))))
      return reply.redirect(paths.motDePasseOublie, 303);
    return reply.page(`${VIEWS}/code.njk`, {});
  });

  app.post(paths.motDePasseOublieCode, async (request, reply) => {
    const flow = await s.recovery.read(flowIdOf(request));
    if (!flow) return reply.redirect(paths.motDePasseOublie, 303);
    if (formValues(request.body, ['action']).action === 'renvoyer') {
      await s.recovery.resendCode(flow.personId);
      return reply.page(`${VIEWS}/code.njk`, { resent: true });
    }
    const form = codeForm.safeParse(request.body);
    if (!form.success)
      return reply
        .code(400)
        .page(`${VIEWS}/code.njk`, { errors: formErrors(form.error, ['code']) });
    const check = await s.recovery.verifyCode(flow.id, form.data.code, request.ip);
    if (check === 'gone') return reply.redirect(paths.motDePasseOublie, 303);
    if (!check.ok) {
      const refused = codeRefused(check);
      return reply.code(refused.status).page(`${VIEWS}/code.njk`, { errors: refused.errors });
    }
    return reply.redirect(paths.motDePasseOublieNouveau, 303);
  });

  app.get(paths.motDePasseOublieNouveau, async (request, reply) => {
    if (!(await s.recovery.readVerified(flowIdOf(request))))
      return reply.redirect(paths.motDePasseOublie, 303);
    return reply.page(`${VIEWS}/nouveau.njk`, {});
  });

  app.post(paths.motDePasseOublieNouveau, async (request, reply) => {
    const form = newPasswordForm.safeParse(request.body);
    if (!form.success) {
      if (!(await s.recovery.readVerified(flowIdOf(request))))
        return reply.redirect(paths.motDePasseOublie, 303);
      return reply
        .code(400)
        .page(`${VIEWS}/nouveau.njk`, { errors: formErrors(form.error, ['password']) });
    }
    const done = await s.recovery.complete({
      flowId: flowIdOf(request),
      password: form.data.password,
      login: loginContextOf(request),
    });
    // Consumed already (a replayed cookie, a double submit) or expired: start again.
    if (!done.ok && done.reason === 'gone') return reply.redirect(paths.motDePasseOublie, 303);
    if (!done.ok)
      return reply.code(400).page(`${VIEWS}/nouveau.njk`, { errors: policyErrors(done.problems) });
    setSessionCookie(request, done.session);
    confirmOnArrival(request, 'mot-de-passe');
    return reply.redirect(paths.monCompte, 303);
  });
}
