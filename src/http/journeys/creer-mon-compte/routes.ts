import type { FastifyInstance } from 'fastify';
import { ageOn } from '#src/domain/access.ts';
import { parseNir } from '#src/domain/nir.ts';
import type { Services } from '#src/services/index.ts';
import {
  awaitCreationCode,
  completeAccountCreation,
  readCreation,
  requestAccountCreation,
  startAccountCreation,
  verifyCreationCode,
} from '#src/services/primo-demandeur.ts';
import { fieldError, formErrors, formValues } from '../../forms.ts';
import { flowIdOf, setFlowCookie } from '../../flow-cookie.ts';
import { newPasswordForm, policyErrors } from '../../new-password.ts';
import { paths } from '../../paths.ts';
import { loginContextOf, retryTime, setSessionCookie } from '../../sign-in.ts';
import { CODE_FAILED, codeForm, contactForm } from '../premiere-connexion/forms.ts';
import { IDENTITY_FIELDS, identityForm, identityMismatch } from './forms.ts';

const VIEWS = 'pages/creer-mon-compte';
const MINIMUM_AGE = 15;
const CONTACT_FIELDS = ['channel', 'email', 'phone'] as const;

/**
 * "Créer mon compte" (primo-demandeur, docs/design.md §2): identity checked against the NIR, a contact
 * proven by a code, a password; the person then has an account with no dossier. From the contact
 * step on, a NIR the Caf already knows gets the same pages, and no account (README, "Créer mon
 * compte").
 */
export async function creerMonCompteRoutes(app: FastifyInstance, opts: { services: Services }) {
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
    const flow = await startAccountCreation(s, {
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
    const flow = await readCreation(s, flowIdOf(request));
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
    const flow = await readCreation(s, flowIdOf(request));
    if (!flow) return reply.redirect(paths.creerMonCompte, 303);
    const values = formValues(request.body, [...CONTACT_FIELDS]);
    const form = contactForm.safeParse(request.body);
    if (!form.success) {
      return reply.code(400).page(`${VIEWS}/coordonnees.njk`, {
        values,
        errors: formErrors(form.error, CONTACT_FIELDS),
      });
    }
    const result = await requestAccountCreation(s, {
      identity: flow.state.identity,
      contact: form.data,
      journeyPersonId: flow.personId,
      clientIp: request.ip,
    });
    if (!result.ok) {
      return reply.code(429).page(`${VIEWS}/coordonnees.njk`, {
        values,
        errors: fieldError(
          'channel',
          `Trop de demandes. Par sécurité, réessayez à partir de ${retryTime(result.retryAt)}.`,
        ),
      });
    }
    if (!(await awaitCreationCode(s, flow, result.personId, form.data)))
      return reply.redirect(paths.creerMonCompte, 303);
    return reply.redirect(paths.creerMonCompteCode, 303);
  });

  app.get(paths.creerMonCompteCode, async (request, reply) => {
    const flow = await readCreation(s, flowIdOf(request));
    if (!flow?.personId || !flow.state.contact) return reply.redirect(paths.creerMonCompte, 303);
    return reply.page(`${VIEWS}/code.njk`, { contact: flow.state.contact });
  });

  app.post(paths.creerMonCompteCode, async (request, reply) => {
    const flow = await readCreation(s, flowIdOf(request));
    const contact = flow?.state.contact;
    if (!flow?.personId || !contact) return reply.redirect(paths.creerMonCompte, 303);
    const form = codeForm.safeParse(request.body);
    if (!form.success) {
      return reply.code(400).page(`${VIEWS}/code.njk`, {
        contact,
        errors: formErrors(form.error, ['code']),
      });
    }
    const check = await verifyCreationCode(s, flow.id, form.data.code, request.ip);
    if (check === 'gone') return reply.redirect(paths.creerMonCompte, 303);
    if (!check.ok || !check.sameContact) {
      const throttled = !check.ok && check.reason === 'throttled';
      const message =
        !check.ok && check.reason === 'throttled'
          ? `Trop de codes erronés. Réessayez à partir de ${retryTime(check.retryAt)}.`
          : CODE_FAILED;
      return reply.code(throttled ? 429 : 400).page(`${VIEWS}/code.njk`, {
        contact,
        errors: fieldError('code', message),
      });
    }
    return reply.redirect(paths.creerMonCompteMotDePasse, 303);
  });

  app.get(paths.creerMonCompteMotDePasse, async (request, reply) => {
    const flow = await readCreation(s, flowIdOf(request));
    if (!flow?.state.codeVerified) return reply.redirect(paths.creerMonCompte, 303);
    return reply.page(`${VIEWS}/mot-de-passe.njk`, {});
  });

  app.post(paths.creerMonCompteMotDePasse, async (request, reply) => {
    const form = newPasswordForm.safeParse(request.body);
    if (!form.success) {
      if (!(await readCreation(s, flowIdOf(request)))?.state.codeVerified)
        return reply.redirect(paths.creerMonCompte, 303);
      return reply
        .code(400)
        .page(`${VIEWS}/mot-de-passe.njk`, { errors: formErrors(form.error, ['password']) });
    }
    const done = await completeAccountCreation(s, {
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
    return reply.redirect(paths.monCompte, 303);
  });
}
