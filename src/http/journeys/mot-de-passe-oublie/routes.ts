import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hasAccount } from '#src/db/repositories/accounts.ts';
import { setVerifiedContact } from '#src/db/repositories/persons.ts';
import type { Services } from '#src/services/index.ts';
import { checkCode } from '#src/services/one-time-codes.ts';
import { choosePassword } from '#src/services/passwords.ts';
import { afterPasswordReset, resendRecoveryCode, startRecovery } from '#src/services/recovery.ts';
import { devicesOf } from '../../device-cookie.ts';
import { fieldError, formErrors, formValues } from '../../forms.ts';
import { clearTicket, readTicket, writeTicket } from '../../journey-ticket.ts';
import { newPasswordForm, policyErrors } from '../../new-password.ts';
import { paths } from '../../paths.ts';
import { retryTime, signIn } from '../../sign-in.ts';
import { birthdateField, nirField } from '../../fields.ts';
import { CODE_FAILED, codeForm } from '../premiere-connexion/forms.ts';

const VIEWS = 'pages/mot-de-passe-oublie';

const recoveryForm = z.object({ nir: nirField, birthdate: birthdateField });

/** Too many requests for this identifier and birth date, or from this address. */
export function recoveryThrottledMessage(retryAt: Date): string {
  return `Trop de demandes. Par sécurité, réessayez à partir de ${retryTime(retryAt)}.`;
}

/**
 * The throttle identifier of one recovery journey's code tries: its own, so that nobody else's
 * wrong codes slow it down, and no key is shared by every unknown person (ADR 0008).
 */
function journeyOf(ticket: { issuedAt: number; personId: string | null }, ip: string): string {
  return `recovery:${String(ticket.issuedAt)}:${ticket.personId ?? 'none'}:${ip}`;
}

/**
 * "Mot de passe oublié ?": NIR + date of birth → a code to a known contact → a new password.
 * Serves both account holders and people whose first connection lacks the old password.
 * Every answer before the new password is the same whether or not the NIR exists.
 */
export async function motDePasseOublieRoutes(app: FastifyInstance, opts: { services: Services }) {
  const s = opts.services;
  const ticketOf = (request: Parameters<typeof readTicket>[0]) =>
    readTicket(request, 'mot-de-passe-oublie', s.now());

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
    request.session.regenerate();
    writeTicket(request, {
      journey: 'mot-de-passe-oublie',
      personId: started.personId,
      issuedAt: s.now().getTime(),
      codeVerified: null,
    });
    return reply.redirect(paths.motDePasseOublieCode, 303);
  });

  app.get(paths.motDePasseOublieCode, async (request, reply) => {
    if (!ticketOf(request)) return reply.redirect(paths.motDePasseOublie, 303);
    return reply.page(`${VIEWS}/code.njk`, {});
  });

  app.post(paths.motDePasseOublieCode, async (request, reply) => {
    const ticket = ticketOf(request);
    if (!ticket) return reply.redirect(paths.motDePasseOublie, 303);
    if (formValues(request.body, ['action']).action === 'renvoyer') {
      if (ticket.personId) await resendRecoveryCode(s, ticket.personId);
      return reply.page(`${VIEWS}/code.njk`, { resent: true });
    }
    const form = codeForm.safeParse(request.body);
    if (!form.success)
      return reply
        .code(400)
        .page(`${VIEWS}/code.njk`, { errors: formErrors(form.error, ['code']) });
    const check = await checkCode(
      s,
      'password-recovery',
      ticket.personId,
      form.data.code,
      request.ip,
      journeyOf(ticket, request.ip),
    );
    if (!check.ok) {
      const message =
        check.reason === 'throttled'
          ? `Trop de codes erronés. Réessayez à partir de ${retryTime(check.retryAt)}.`
          : CODE_FAILED;
      return reply
        .code(check.reason === 'throttled' ? 429 : 400)
        .page(`${VIEWS}/code.njk`, { errors: fieldError('code', message) });
    }
    writeTicket(request, {
      ...ticket,
      codeVerified: { channel: check.channel, destination: check.destination },
    });
    return reply.redirect(paths.motDePasseOublieNouveau, 303);
  });

  app.get(paths.motDePasseOublieNouveau, async (request, reply) => {
    const ticket = ticketOf(request);
    if (!ticket?.personId || !ticket.codeVerified)
      return reply.redirect(paths.motDePasseOublie, 303);
    return reply.page(`${VIEWS}/nouveau.njk`, {});
  });

  app.post(paths.motDePasseOublieNouveau, async (request, reply) => {
    const ticket = ticketOf(request);
    if (!ticket?.personId || !ticket.codeVerified)
      return reply.redirect(paths.motDePasseOublie, 303);
    const form = newPasswordForm.safeParse(request.body);
    if (!form.success)
      return reply
        .code(400)
        .page(`${VIEWS}/nouveau.njk`, { errors: formErrors(form.error, ['password']) });
    const hadAccount = await hasAccount(s.pool, ticket.personId);
    const choice = await choosePassword(s, ticket.personId, form.data.password);
    if (!choice.ok)
      return reply
        .code(400)
        .page(`${VIEWS}/nouveau.njk`, { errors: policyErrors(choice.problems) });
    // The code just proved this contact belongs to the person.
    await setVerifiedContact(
      s.pool,
      ticket.personId,
      ticket.codeVerified.channel,
      ticket.codeVerified.destination,
      s.now(),
    );
    if (hadAccount) await afterPasswordReset(s, choice.person, null);
    clearTicket(request);
    await signIn(request, s, ticket.personId, 'password');
    return reply.redirect(paths.monCompte, 303);
  });
}
