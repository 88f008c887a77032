import type { FastifyInstance } from 'fastify';
import type { UseCases } from '#src/services/use-cases.ts';
import { fieldError, formErrors, formValues } from '../../forms.ts';
import { flowIdOf } from '../../flow-cookie.ts';
import { confirmOnArrival } from '../../confirmation.ts';
import { paths } from '../../paths.ts';
import { loginContextOf, setSessionCookie } from '../../session-cookie.ts';
import { codeForm, codeRefused, TOO_MANY_CODES } from '../../steps/code.ts';
import { CONTACT_FIELDS, contactForm } from '../../steps/contact.ts';
import { newPasswordForm, policyErrors } from '../../steps/password.ts';

const VIEWS = 'pages/premiere-connexion';

/**
 * First connection (docs/design.md §2): after the old 8-digit password, the person creates
 * a personal password, then validates an e-mail address or a mobile number with a code.
 * The journey's state is a server-side flow (ADR 0007); a finished or replayed one goes back
 * to /connexion.
 */
export async function premiereConnexionRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;

  app.get(paths.premiereConnexion, async (request, reply) => {
    const flow = await s.firstConnection.read(flowIdOf(request));
    if (!flow) return reply.redirect(paths.connexion, 303);
    if (flow.state.passwordSet) return reply.redirect(paths.premiereConnexionCoordonnees, 303);
    return reply.page(`${VIEWS}/mot-de-passe.njk`, { origin: flow.state.origin });
  });

  app.post(paths.premiereConnexion, async (request, reply) => {
    const flow = await s.firstConnection.read(flowIdOf(request));
    if (!flow) return reply.redirect(paths.connexion, 303);
    if (flow.state.passwordSet) return reply.redirect(paths.premiereConnexionCoordonnees, 303);
    const form = newPasswordForm.safeParse(request.body);
    if (!form.success) {
      return reply
        .code(400)
        .page(`${VIEWS}/mot-de-passe.njk`, { errors: formErrors(form.error, ['password']) });
    }
    const choice = await s.firstConnection.choosePassword(flow.id, form.data.password);
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
    const flow = await s.firstConnection.read(flowIdOf(request));
    if (!flow?.state.passwordSet) return reply.redirect(paths.connexion, 303);
    const onFile = await s.firstConnection.contactOnFile(flow.personId);
    return reply.page(`${VIEWS}/coordonnees.njk`, { values: { channel: 'email', ...onFile } });
  });

  app.post(paths.premiereConnexionCoordonnees, async (request, reply) => {
    const values = formValues(request.body, CONTACT_FIELDS);
    const form = contactForm.safeParse(request.body);
    if (!form.success) {
      if (!(await s.firstConnection.read(flowIdOf(request))))
        return reply.redirect(paths.connexion, 303);
      return reply.code(400).page(`${VIEWS}/coordonnees.njk`, {
        values,
        errors: formErrors(form.error, CONTACT_FIELDS),
      });
    }
    const sent = await s.firstConnection.requestContactCode(flowIdOf(request), form.data);
    if (sent === 'gone') return reply.redirect(paths.connexion, 303);
    if (sent === 'too-many') {
      return reply.code(429).page(`${VIEWS}/coordonnees.njk`, {
        values,
        errors: fieldError('channel', TOO_MANY_CODES),
      });
    }
    return reply.redirect(paths.premiereConnexionCode, 303);
  });

  app.get(paths.premiereConnexionCode, async (request, reply) => {
    const flow = await s.firstConnection.read(flowIdOf(request));
    if (!flow?.state.contact) return reply.redirect(paths.connexion, 303);
    return reply.page(`${VIEWS}/code.njk`, { contact: flow.state.contact });
  });

  app.post(paths.premiereConnexionCode, async (request, reply) => {
    const flow = await s.firstConnection.read(flowIdOf(request));
    if (!flow?.state.contact) return reply.redirect(paths.connexion, 303);
    const form = codeForm.safeParse(request.body);
    if (!form.success) {
      return reply.code(400).page(`${VIEWS}/code.njk`, {
        contact: flow.state.contact,
        errors: formErrors(form.error, ['code']),
      });
    }
    const check = await s.firstConnection.confirmContact({
      flowId: flow.id,
      code: form.data.code,
      clientIp: request.ip,
      login: loginContextOf(request),
    });
    if (check === 'gone') return reply.redirect(paths.connexion, 303);
    if (!check.ok) {
      const refused = codeRefused(check);
      return reply.code(refused.status).page(`${VIEWS}/code.njk`, {
        contact: flow.state.contact,
        errors: refused.errors,
      });
    }
    setSessionCookie(request, check.session);
    confirmOnArrival(request, 'premiere-connexion');
    return reply.redirect(paths.monCompte, 303);
  });
}
