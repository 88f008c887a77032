import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ageOn } from '#src/domain/access.ts';
import { parseNir } from '#src/domain/nir.ts';
import type { Services } from '#src/services/index.ts';
import { checkCode } from '#src/services/one-time-codes.ts';
import { completeAccountCreation, requestAccountCreation } from '#src/services/primo-demandeur.ts';
import { fieldError, formErrors, formValues } from '../../forms.ts';
import { clearTicket, readTicket, writeTicket } from '../../journey-ticket.ts';
import { newPasswordForm, policyErrors } from '../../new-password.ts';
import { paths } from '../../paths.ts';
import { retryTime, signIn } from '../../sign-in.ts';
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
  const ticketOf = (request: FastifyRequest) => readTicket(request, 'creer-mon-compte', s.now());

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
    request.session.regenerate();
    writeTicket(request, {
      journey: 'creer-mon-compte',
      issuedAt: s.now().getTime(),
      identity: {
        nir: parsed.nir.value,
        sex: parsed.nir.sex,
        familyName: nomNaissance,
        givenNames: prenoms,
        birthdate: dateNaissance,
      },
      personId: null,
      contact: null,
      codeVerified: false,
    });
    return reply.redirect(paths.creerMonCompteCoordonnees, 303);
  });

  app.get(paths.creerMonCompteCoordonnees, async (request, reply) => {
    const ticket = ticketOf(request);
    if (!ticket) return reply.redirect(paths.creerMonCompte, 303);
    const contact = ticket.contact;
    return reply.page(`${VIEWS}/coordonnees.njk`, {
      values: {
        channel: contact?.channel ?? 'email',
        email: contact?.channel === 'email' ? contact.destination : '',
        phone: contact?.channel === 'sms' ? contact.destination : '',
      },
    });
  });

  app.post(paths.creerMonCompteCoordonnees, async (request, reply) => {
    const ticket = ticketOf(request);
    if (!ticket) return reply.redirect(paths.creerMonCompte, 303);
    const values = formValues(request.body, [...CONTACT_FIELDS]);
    const form = contactForm.safeParse(request.body);
    if (!form.success) {
      return reply.code(400).page(`${VIEWS}/coordonnees.njk`, {
        values,
        errors: formErrors(form.error, CONTACT_FIELDS),
      });
    }
    const result = await requestAccountCreation(s, {
      identity: ticket.identity,
      contact: form.data,
      journeyPersonId: ticket.personId,
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
    writeTicket(request, {
      ...ticket,
      personId: result.personId,
      contact: form.data,
      codeVerified: false,
    });
    return reply.redirect(paths.creerMonCompteCode, 303);
  });

  app.get(paths.creerMonCompteCode, async (request, reply) => {
    const ticket = ticketOf(request);
    if (!ticket?.personId || !ticket.contact) return reply.redirect(paths.creerMonCompte, 303);
    return reply.page(`${VIEWS}/code.njk`, { contact: ticket.contact });
  });

  app.post(paths.creerMonCompteCode, async (request, reply) => {
    const ticket = ticketOf(request);
    if (!ticket?.personId || !ticket.contact) return reply.redirect(paths.creerMonCompte, 303);
    const form = codeForm.safeParse(request.body);
    if (!form.success) {
      return reply.code(400).page(`${VIEWS}/code.njk`, {
        contact: ticket.contact,
        errors: formErrors(form.error, ['code']),
      });
    }
    const check = await checkCode(
      s,
      'contact-validation',
      ticket.personId,
      form.data.code,
      request.ip,
    );
    // The code must have gone to the contact of this journey (not one typed in another tab).
    const sameContact =
      check.ok &&
      check.channel === ticket.contact.channel &&
      check.destination === ticket.contact.destination;
    if (!check.ok || !sameContact) {
      const throttled = !check.ok && check.reason === 'throttled';
      const message =
        !check.ok && check.reason === 'throttled'
          ? `Trop de codes erronés. Réessayez à partir de ${retryTime(check.retryAt)}.`
          : CODE_FAILED;
      return reply.code(throttled ? 429 : 400).page(`${VIEWS}/code.njk`, {
        contact: ticket.contact,
        errors: fieldError('code', message),
      });
    }
    writeTicket(request, { ...ticket, codeVerified: true });
    return reply.redirect(paths.creerMonCompteMotDePasse, 303);
  });

  app.get(paths.creerMonCompteMotDePasse, async (request, reply) => {
    const ticket = ticketOf(request);
    if (!ticket?.codeVerified) return reply.redirect(paths.creerMonCompte, 303);
    return reply.page(`${VIEWS}/mot-de-passe.njk`, {});
  });

  app.post(paths.creerMonCompteMotDePasse, async (request, reply) => {
    const ticket = ticketOf(request);
    if (!ticket?.codeVerified || !ticket.personId || !ticket.contact)
      return reply.redirect(paths.creerMonCompte, 303);
    const form = newPasswordForm.safeParse(request.body);
    if (!form.success) {
      return reply
        .code(400)
        .page(`${VIEWS}/mot-de-passe.njk`, { errors: formErrors(form.error, ['password']) });
    }
    const done = await completeAccountCreation(s, {
      personId: ticket.personId,
      nir: ticket.identity.nir,
      birthdate: ticket.identity.birthdate,
      contact: ticket.contact,
      password: form.data.password,
    });
    if (!done.ok && done.reason === 'policy') {
      return reply
        .code(400)
        .page(`${VIEWS}/mot-de-passe.njk`, { errors: policyErrors(done.problems) });
    }
    clearTicket(request);
    // Already completed (a double submit, another tab): the person logs in as usual.
    if (!done.ok) return reply.redirect(paths.connexion, 303);
    await signIn(request, s, ticket.personId, 'password');
    return reply.redirect(paths.monCompte, 303);
  });
}
