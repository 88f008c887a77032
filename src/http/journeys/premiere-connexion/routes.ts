import type { FastifyInstance } from 'fastify';
import {
  chooseFirstPassword,
  confirmFirstContact,
  contactOnFile,
  readFirstConnection,
  requestFirstContactCode,
} from '#src/services/first-connection.ts';
import type { Services } from '#src/services/index.ts';
import { fieldError, formErrors, formValues } from '../../forms.ts';
import { flowIdOf } from '../../flow-cookie.ts';
import { newPasswordForm, policyErrors } from '../../new-password.ts';
import { paths } from '../../paths.ts';
import { loginContextOf, retryTime, setSessionCookie } from '../../sign-in.ts';
import { codeForm, contactForm, CODE_FAILED } from './forms.ts';

const VIEWS = 'pages/premiere-connexion';

/**
 * First connection (docs/design.md §2): after the old 8-digit password, the person creates
 * a personal password, then validates an e-mail address or a mobile number with a code.
 * The journey's state is a server-side flow (ADR 0007); a finished or replayed one goes back
 * to /connexion.
 */
export async function premiereConnexionRoutes(app: FastifyInstance, opts: { services: Services }) {
  const s = opts.services;

  app.get(paths.premiereConnexion, async (request, reply) => {
    const flow = await readFirstConnection(s, flowIdOf(request));
    if (!flow) return reply.redirect(paths.connexion, 303);
    if (flow.state.passwordSet) return reply.redirect(paths.premiereConnexionCoordonnees, 303);
    return reply.page(`${VIEWS}/mot-de-passe.njk`, { origin: flow.state.origin });
  });

  app.post(paths.premiereConnexion, async (request, reply) => {
    const flow = await readFirstConnection(s, flowIdOf(request));
    if (!flow) return reply.redirect(paths.connexion, 303);
    if (flow.state.passwordSet) return reply.redirect(paths.premiereConnexionCoordonnees, 303);
    const form = newPasswordForm.safeParse(request.body);
    if (!form.success) {
      return reply
        .code(400)
        .page(`${VIEWS}/mot-de-passe.njk`, { errors: formErrors(form.error, ['password']) });
    }
    const choice = await chooseFirstPassword(s, flow.id, form.data.password);
    // Another submit of this step got there first: its password stands.
    if (!choice.ok && choice.reason === 'gone')
      return reply.redirect(paths.premiereConnexionCoordonnees, 303);
    if (!choice.ok)
      return reply
        .code(400)
        .page(`${VIEWS}/mot-de-passe.njk`, { errors: policyErrors(choice.problems) });
    return reply.redirect(paths.premiereConnexionCoordonnees, 303);
  });

  app.get(paths.premiereConnexionCoordonnees, async (request, reply) => {
    const flow = await readFirstConnection(s, flowIdOf(request));
    if (!flow?.state.passwordSet) return reply.redirect(paths.connexion, 303);
    const onFile = await contactOnFile(s, flow.personId);
    return reply.page(`${VIEWS}/coordonnees.njk`, { values: { channel: 'email', ...onFile } });
  });

  app.post(paths.premiereConnexionCoordonnees, async (request, reply) => {
    const values = formValues(request.body, ['channel', 'email', 'phone']);
    const form = contactForm.safeParse(request.body);
    if (!form.success) {
      if (!(await readFirstConnection(s, flowIdOf(request))))
        return reply.redirect(paths.connexion, 303);
      return reply.code(400).page(`${VIEWS}/coordonnees.njk`, {
        values,
        errors: formErrors(form.error, ['channel', 'email', 'phone']),
      });
    }
    const sent = await requestFirstContactCode(s, flowIdOf(request), form.data);
    if (sent === 'gone') return reply.redirect(paths.connexion, 303);
    if (sent === 'too-many') {
      return reply.code(429).page(`${VIEWS}/coordonnees.njk`, {
        values,
        errors: fieldError('channel', 'Vous avez demandé trop de codes. Réessayez dans une heure.'),
      });
    }
    return reply.redirect(paths.premiereConnexionCode, 303);
  });

  app.get(paths.premiereConnexionCode, async (request, reply) => {
    const flow = await readFirstConnection(s, flowIdOf(request));
    if (!flow?.state.contact) return reply.redirect(paths.connexion, 303);
    return reply.page(`${VIEWS}/code.njk`, { contact: flow.state.contact });
  });

  app.post(paths.premiereConnexionCode, async (request, reply) => {
    const flow = await readFirstConnection(s, flowIdOf(request));
    if (!flow?.state.contact) return reply.redirect(paths.connexion, 303);
    const form = codeForm.safeParse(request.body);
    if (!form.success) {
      return reply.code(400).page(`${VIEWS}/code.njk`, {
        contact: flow.state.contact,
        errors: formErrors(form.error, ['code']),
      });
    }
    const check = await confirmFirstContact(s, {
      flowId: flow.id,
      code: form.data.code,
      clientIp: request.ip,
      login: loginContextOf(request),
    });
    if (check === 'gone') return reply.redirect(paths.connexion, 303);
    if (!check.ok) {
      const message =
        check.reason === 'throttled'
          ? `Trop de codes erronés. Réessayez à partir de ${retryTime(check.retryAt)}.`
          : CODE_FAILED;
      return reply.code(check.reason === 'throttled' ? 429 : 400).page(`${VIEWS}/code.njk`, {
        contact: flow.state.contact,
        errors: fieldError('code', message),
      });
    }
    setSessionCookie(request, check.session);
    return reply.redirect(paths.monCompte, 303);
  });
}
