import type { FastifyInstance } from 'fastify';
import { ageOn } from '#src/domain/access.ts';
import { parseNir } from '#src/domain/nir.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { fieldError, formErrors, formValues } from '../../forms.ts';
import { flowIdOf, setFlowCookie } from '../../flow-cookie.ts';
import { confirmOnArrival } from '../../confirmation.ts';
import { paths } from '../../paths.ts';
import { loginContextOf, setSessionCookie } from '../../session-cookie.ts';
import { codeForm, codeRefused } from '../../steps/code.ts';
import { CONTACT_FIELDS, contactForm } from '../../steps/contact.ts';
import { newPasswordForm, policyErrors } from '../../steps/password.ts';
import { throttled } from '../../steps/throttled.ts';
import { IDENTITY_FIELDS, identityForm, identityMismatch } from './forms.ts';

const VIEWS = 'pages/creer-mon-compte';
const MINIMUM_AGE = 15;

/**
 * "Créer mon compte" (primo-demandeur, docs/design.md §2): identity checked against the NIR, a contact
 * proven by a code, a password; the person then has an account with no dossier. From the contact
 * step on, a NIR the Caf already knows gets the same pages, and no account (README, "Créer mon
 * compte").
 */
export async function creerMonCompteRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;

  app.get(paths.creerMonCompte, async (request, reply) => {
    if (request.principal) return reply.redirect(paths.monCompte, 303);
    return reply.page(`${VIEWS}/identite.njk`, { values: {} });
  });

  app.post(paths.creerMonCompte, async (request, reply) => {
    const values = formValues(request.body, [...IDENTITY_FIELDS]);
    const form = identityForm.safeParse(request.body);
    if (!form.success) {
      return reply.code(400).page(`${VIEWS}/identite.njk`, {
        values,
        errors: formErrors(form.error, IDENTITY_FIELDS),
      });
    }
    const { nir: nirValue, nomNaissance, prenoms, dateNaissance } = form.data;
    const parsed = parseNir(nirValue);
    if (!parsed.ok) throw new Error('a NIR accepted by the form no longer parses');
    const mismatch = identityMismatch(parsed.nir, dateNaissance);
    const tooYoung = ageOn(dateNaissance, s.now()) < MINIMUM_AGE;
    if (mismatch || tooYoung) {
      const message =
        mismatch ??
        'Il faut avoir 15 ans ou plus pour créer son compte. Avant 15 ans, l’allocataire du foyer fait les démarches pour l’enfant.';
      return reply
        .code(400)
        .page(`${VIEWS}/identite.njk`, { values, errors: fieldError('dateNaissance', message) });
    }
    const flow = await s.creation.start({
      nir: parsed.nir.value,
      sex: parsed.nir.sex,
      familyName: nomNaissance,
      givenNames: prenoms,
      birthdate: dateNaissance,
    });
    request.session.regenerate();
    setFlowCookie(request, flow);
    return reply.redirect(paths.creerMonCompteCoordonnees, 303);
  });

  app.get(paths.creerMonCompteCoordonnees, async (request, reply) => {
    const flow = await s.creation.read(flowIdOf(request));
    if (!flow) return reply.redirect(paths.creerMonCompte, 303);
    const contact = flow.state.contact;
    return reply.page(`${VIEWS}/coordonnees.njk`, {
      values: {
        channel: contact?.channel ?? 'email',
        email: contact?.channel === 'email' ? contact.destination : '',
        phone: contact?.channel === 'sms' ? contact.destination : '',
      },
    });
  });

  app.post(paths.creerMonCompteCoordonnees, async (request, reply) => {
    const flow = await s.creation.read(flowIdOf(request));
    if (!flow) return reply.redirect(paths.creerMonCompte, 303);
    const values = formValues(request.body, [...CONTACT_FIELDS]);
    const form = contactForm.safeParse(request.body);
    if (!form.success) {
      return reply.code(400).page(`${VIEWS}/coordonnees.njk`, {
        values,
        errors: formErrors(form.error, CONTACT_FIELDS),
      });
    }
    const result = await s.creation.request({
      identity: flow.state.identity,
      contact: form.data,
      journeyPersonId: flow.personId,
      clientIp: request.ip,
    });
    if (!result.ok) {
      const refused = throttled('channel', result.retryAt);
      return reply.code(refused.status).page(`${VIEWS}/coordonnees.njk`, {
        values,
        errors: refused.errors,
      });
    }
    if (!(await s.creation.awaitCode(flow, result.personId, form.data)))
      return reply.redirect(paths.creerMonCompte, 303);
    return reply.redirect(paths.creerMonCompteCode, 303);
  });

  app.get(paths.creerMonCompteCode, async (request, reply) => {
    const flow = await s.creation.read(flowIdOf(request));
    if (!flow?.personId || !flow.state.contact) return reply.redirect(paths.creerMonCompte, 303);
    return reply.page(`${VIEWS}/code.njk`, { contact: flow.state.contact });
  });

  app.post(paths.creerMonCompteCode, async (request, reply) => {
    const flow = await s.creation.read(flowIdOf(request));
    const contact = flow?.state.contact;
    if (!flow?.personId || !contact) return reply.redirect(paths.creerMonCompte, 303);
    const form = codeForm.safeParse(request.body);
    if (!form.success) {
      return reply.code(400).page(`${VIEWS}/code.njk`, {
        contact,
        errors: formErrors(form.error, ['code']),
      });
    }
    const check = await s.creation.verifyCode(flow.id, form.data.code, request.ip);
    if (check === 'gone') return reply.redirect(paths.creerMonCompte, 303);
    if (!check.ok || !check.sameContact) {
      // A code sent to another contact than the one shown counts as a wrong one.
      const refused = codeRefused(check.ok ? { reason: 'invalid' } : check);
      return reply.code(refused.status).page(`${VIEWS}/code.njk`, {
        contact,
        errors: refused.errors,
      });
    }
    return reply.redirect(paths.creerMonCompteMotDePasse, 303);
  });

  app.get(paths.creerMonCompteMotDePasse, async (request, reply) => {
    const flow = await s.creation.read(flowIdOf(request));
    if (!flow?.state.codeVerified) return reply.redirect(paths.creerMonCompte, 303);
    return reply.page(`${VIEWS}/mot-de-passe.njk`, {});
  });

  app.post(paths.creerMonCompteMotDePasse, async (request, reply) => {
    const form = newPasswordForm.safeParse(request.body);
    if (!form.success) {
      if (!(await s.creation.read(flowIdOf(request)))?.state.codeVerified)
        return reply.redirect(paths.creerMonCompte, 303);
      return reply
        .code(400)
        .page(`${VIEWS}/mot-de-passe.njk`, { errors: formErrors(form.error, ['password']) });
    }
    const done = await s.creation.complete({
      flowId: flowIdOf(request),
      password: form.data.password,
      login: loginContextOf(request),
    });
    if (!done.ok && done.reason === 'policy') {
      return reply
        .code(400)
        .page(`${VIEWS}/mot-de-passe.njk`, { errors: policyErrors(done.problems) });
    }
    // Finished already (a replayed cookie, a double submit) or expired: start again.
    if (!done.ok && done.reason === 'gone') return reply.redirect(paths.creerMonCompte, 303);
    // Completed in another tab, or a dossier appeared: the person logs in as usual.
    if (!done.ok) return reply.redirect(paths.connexion, 303);
    setSessionCookie(request, done.session);
    confirmOnArrival(request, 'compte-cree');
    return reply.redirect(paths.monCompte, 303);
  });
}
