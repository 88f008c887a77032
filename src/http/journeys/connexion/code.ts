import type { FastifyInstance } from 'fastify';
import type { UseCases } from '#src/services/use-cases.ts';
import { rememberDevice } from '../../device-cookie.ts';
import { formErrors, formValues } from '../../forms.ts';
import { clearFlowCookie, flowIdOf } from '../../flow-cookie.ts';
import { paths } from '../../paths.ts';
import { loginContextOf, setSessionCookie } from '../../session-cookie.ts';
import { codeForm, codeRefused } from '../../steps/code.ts';

const TEMPLATE = 'pages/connexion/code.njk';

/**
 * /connexion/code (ADR 0011): the right password from a device not known yet, then a code sent
 * to a verified contact; the session and the device cookie come with the code. Reached from
 * /connexion and /identifiant-provisoire.
 */
export async function connexionCodeRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;

  app.get(paths.connexionCode, async (request, reply) => {
    const flow = await s.newDevice.read(flowIdOf(request));
    if (!flow) return reply.redirect(paths.connexion, 303);
    return reply.page(TEMPLATE, { channel: flow.state.channel });
  });

  app.post(paths.connexionCode, async (request, reply) => {
    const flow = await s.newDevice.read(flowIdOf(request));
    if (!flow) return reply.redirect(paths.connexion, 303);
    const channel = flow.state.channel;
    if (formValues(request.body, ['action']).action === 'renvoyer') {
      await s.newDevice.resendCode(flow.id);
      return reply.page(TEMPLATE, { channel, resent: true });
    }
    const form = codeForm.safeParse(request.body);
    if (!form.success)
      return reply.code(400).page(TEMPLATE, { channel, errors: formErrors(form.error, ['code']) });
    const done = await s.newDevice.confirm({
      flowId: flow.id,
      code: form.data.code,
      clientIp: request.ip,
      login: loginContextOf(request),
    });
    if (!done.ok && done.reason === 'gone') return reply.redirect(paths.connexion, 303);
    if (!done.ok) {
      const refused = codeRefused(done);
      return reply.code(refused.status).page(TEMPLATE, { channel, errors: refused.errors });
    }
    clearFlowCookie(request);
    rememberDevice(request, reply, s, done.loginIdentifier);
    setSessionCookie(request, done.session);
    return reply.redirect(paths.monCompte, 303);
  });
}
