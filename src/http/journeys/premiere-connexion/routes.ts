import type { FastifyInstance } from 'fastify';
import { findPersonById, setVerifiedContact } from '#src/db/repositories/persons.ts';
import type { Services } from '#src/services/index.ts';
import { checkCode, sendCode } from '#src/services/one-time-codes.ts';
import { choosePassword } from '#src/services/passwords.ts';
import { fieldError, formErrors, formValues } from '../../forms.ts';
import { clearTicket, readTicket, writeTicket } from '../../journey-ticket.ts';
import { newPasswordForm, policyErrors } from '../../new-password.ts';
import { paths } from '../../paths.ts';
import { retryTime, signIn } from '../../sign-in.ts';
import { codeForm, contactForm, CODE_FAILED } from './forms.ts';

const VIEWS = 'pages/premiere-connexion';

/**
 * First connection (docs/design.md §2): after the old 8-digit password, the person creates
 * a personal password, then validates an e-mail address or a mobile number with a code.
 */
export async function premiereConnexionRoutes(app: FastifyInstance, opts: { services: Services }) {
  const s = opts.services;
  const ticketOf = (request: Parameters<typeof readTicket>[0]) =>
    readTicket(request, 'premiere-connexion', s.now());

  app.get(paths.premiereConnexion, async (request, reply) => {
    const ticket = ticketOf(request);
    if (!ticket) return reply.redirect(paths.connexion, 303);
    if (ticket.passwordSet) return reply.redirect(paths.premiereConnexionCoordonnees, 303);
    return reply.page(`${VIEWS}/mot-de-passe.njk`, { origin: ticket.origin });
  });

  app.post(paths.premiereConnexion, async (request, reply) => {
    const ticket = ticketOf(request);
    if (!ticket || ticket.passwordSet) return reply.redirect(paths.connexion, 303);
    const form = newPasswordForm.safeParse(request.body);
    if (!form.success) {
      return reply
        .code(400)
        .page(`${VIEWS}/mot-de-passe.njk`, { errors: formErrors(form.error, ['password']) });
    }
    const choice = await choosePassword(s, ticket.personId, form.data.password);
    if (!choice.ok)
      return reply
        .code(400)
        .page(`${VIEWS}/mot-de-passe.njk`, { errors: policyErrors(choice.problems) });
    writeTicket(request, { ...ticket, passwordSet: true });
    return reply.redirect(paths.premiereConnexionCoordonnees, 303);
  });

  app.get(paths.premiereConnexionCoordonnees, async (request, reply) => {
    const ticket = ticketOf(request);
    if (!ticket?.passwordSet) return reply.redirect(paths.connexion, 303);
    const person = await findPersonById(s.pool, ticket.personId);
    return reply.page(`${VIEWS}/coordonnees.njk`, {
      values: { channel: 'email', email: person?.email ?? '', phone: person?.phone ?? '' },
    });
  });

  app.post(paths.premiereConnexionCoordonnees, async (request, reply) => {
    const ticket = ticketOf(request);
    if (!ticket?.passwordSet) return reply.redirect(paths.connexion, 303);
    const values = formValues(request.body, ['channel', 'email', 'phone']);
    const form = contactForm.safeParse(request.body);
    if (!form.success) {
      return reply.code(400).page(`${VIEWS}/coordonnees.njk`, {
        values,
        errors: formErrors(form.error, ['channel', 'email', 'phone']),
      });
    }
    const contact = form.data;
    const sent = await sendCode(s, 'contact-validation', { personId: ticket.personId, ...contact });
    if (sent === 'too-many') {
      return reply.code(429).page(`${VIEWS}/coordonnees.njk`, {
        values,
        errors: fieldError('channel', 'Vous avez demandé trop de codes. Réessayez dans une heure.'),
      });
    }
    writeTicket(request, { ...ticket, contact });
    return reply.redirect(paths.premiereConnexionCode, 303);
  });

  app.get(paths.premiereConnexionCode, async (request, reply) => {
    const ticket = ticketOf(request);
    if (!ticket?.contact) return reply.redirect(paths.connexion, 303);
    return reply.page(`${VIEWS}/code.njk`, { contact: ticket.contact });
  });

  app.post(paths.premiereConnexionCode, async (request, reply) => {
    const ticket = ticketOf(request);
    if (!ticket?.contact) return reply.redirect(paths.connexion, 303);
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
    if (!check.ok) {
      const message =
        check.reason === 'throttled'
          ? `Trop de codes erronés. Réessayez à partir de ${retryTime(check.retryAt)}.`
          : CODE_FAILED;
      return reply.code(check.reason === 'throttled' ? 429 : 400).page(`${VIEWS}/code.njk`, {
        contact: ticket.contact,
        errors: fieldError('code', message),
      });
    }
    await setVerifiedContact(s.pool, ticket.personId, check.channel, check.destination, s.now());
    clearTicket(request);
    await signIn(request, s, ticket.personId, 'password');
    return reply.redirect(paths.monCompte, 303);
  });
}
