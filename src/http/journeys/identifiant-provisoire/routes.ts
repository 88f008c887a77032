import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseProvisionalId, provisionalIdErrorMessage } from '#src/domain/provisional-id.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { devicesOf, rememberDevice } from '../../device-cookie.ts';
import { fieldError, formErrors, formValues } from '../../forms.ts';
import { setFlowCookie } from '../../flow-cookie.ts';
import { paths } from '../../paths.ts';
import { loginContextOf, setSessionCookie } from '../../session-cookie.ts';
import { birthdateField } from '../../fields.ts';
import { currentPassword } from '../../steps/password.ts';
import { FORGOTTEN_PASSWORD_HINT, throttled } from '../../steps/throttled.ts';

const TEMPLATE = 'pages/identifiant-provisoire/index.njk';
const RECOVERY_TEMPLATE = 'pages/identifiant-provisoire/mot-de-passe-oublie.njk';
const FIELDS = ['identifiant', 'password'] as const;
/** Same words for an unknown identifier, a person without an account and a wrong password. */
export const PROVISIONAL_LOGIN_FAILED = 'Identifiant provisoire ou mot de passe incorrect.';

const provisionalIdField = z
  .string({ error: provisionalIdErrorMessage('empty') })
  .trim()
  .transform((input, ctx) => {
    const parsed = parseProvisionalId(input);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: provisionalIdErrorMessage(parsed.error) });
    return z.NEVER;
  });

const loginForm = z.object({
  identifiant: provisionalIdField,
  password: currentPassword,
});

const recoveryForm = z.object({ identifiant: provisionalIdField, birthdate: birthdateField });

/** "J'ai un identifiant provisoire": the login of people the Caf knows before their NIR. */
export async function identifiantProvisoireRoutes(
  app: FastifyInstance,
  opts: { services: UseCases },
) {
  const s = opts.services;

  app.get(paths.identifiantProvisoire, async (request, reply) => {
    if (request.principal) return reply.redirect(paths.monCompte, 303);
    return reply.page(TEMPLATE, { values: {} });
  });

  // "Mot de passe oublié ?": only the first step differs from the NIR one, whose code and
  // new-password pages then take over (same flow).
  app.get(paths.identifiantProvisoireMotDePasseOublie, async (_request, reply) =>
    reply.page(RECOVERY_TEMPLATE, { values: {} }),
  );

  app.post(paths.identifiantProvisoireMotDePasseOublie, async (request, reply) => {
    const values = formValues(request.body, ['identifiant', 'birthdate']);
    const form = recoveryForm.safeParse(request.body);
    if (!form.success) {
      return reply.code(400).page(RECOVERY_TEMPLATE, {
        values,
        errors: formErrors(form.error, ['identifiant', 'birthdate']),
      });
    }
    const started = await s.recovery.start({
      identifier: { kind: 'provisional', provisionalId: form.data.identifiant },
      birthdate: form.data.birthdate,
      clientIp: request.ip,
      devices: devicesOf(request, s),
    });
    if (!started.ok) {
      const refused = throttled('identifiant', started.retryAt);
      return reply.code(refused.status).page(RECOVERY_TEMPLATE, {
        values,
        errors: refused.errors,
      });
    }
    request.session.regenerate();
    setFlowCookie(request, started.flow);
    return reply.redirect(paths.motDePasseOublieCode, 303);
  });

  app.post(paths.identifiantProvisoire, async (request, reply) => {
    const values = formValues(request.body, ['identifiant']);
    const form = loginForm.safeParse(request.body);
    if (!form.success) {
      return reply.code(400).page(TEMPLATE, { values, errors: formErrors(form.error, FIELDS) });
    }
    const result = await s.login.logIn({
      identifier: { kind: 'provisional', provisionalId: form.data.identifiant },
      password: form.data.password,
      clientIp: request.ip,
      devices: devicesOf(request, s),
      context: loginContextOf(request),
    });
    if (!result.ok) {
      const refused =
        result.reason === 'throttled'
          ? throttled('password', result.retryAt, FORGOTTEN_PASSWORD_HINT)
          : { status: 401, errors: fieldError('password', PROVISIONAL_LOGIN_FAILED) };
      return reply.code(refused.status).page(TEMPLATE, { values, errors: refused.errors });
    }
    if (result.next === 'device-code') {
      // A device not known yet: the code first, the device cookie with the session (ADR 0011).
      request.session.regenerate();
      setFlowCookie(request, result.flow);
      return reply.redirect(paths.connexionCode, 303);
    }
    rememberDevice(request, reply, s, result.loginIdentifier);
    if (result.next !== 'session') {
      // Not a session yet: the contact step of the first connection comes first.
      request.session.regenerate();
      setFlowCookie(request, result.flow);
      return reply.redirect(paths.premiereConnexionCoordonnees, 303);
    }
    setSessionCookie(request, result.session);
    return reply.redirect(paths.monCompte, 303);
  });
}
