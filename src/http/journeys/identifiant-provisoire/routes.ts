import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseProvisionalId, provisionalIdErrorMessage } from '#src/domain/provisional-id.ts';
import { startFirstConnection } from '#src/services/first-connection.ts';
import { recoveryFlow } from '#src/services/flow-definitions.ts';
import { startFlow } from '#src/services/flows.ts';
import type { Services } from '#src/services/index.ts';
import {
  loginWithProvisionalId,
  provisionalSubject,
  startProvisionalRecovery,
} from '#src/services/provisional-id.ts';
import { devicesOf, rememberDevice } from '../../device-cookie.ts';
import { fieldError, formErrors, formValues } from '../../forms.ts';
import { setFlowCookie } from '../../flow-cookie.ts';
import { paths } from '../../paths.ts';
import { signIn } from '../../sign-in.ts';
import { throttledMessage } from '../connexion/routes.ts';
import { recoveryThrottledMessage } from '../mot-de-passe-oublie/routes.ts';
import { birthdateField } from '../../fields.ts';

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
  password: z
    .string({ error: 'Saisissez votre mot de passe.' })
    .min(1, 'Saisissez votre mot de passe.')
    .max(128, 'Le mot de passe ne peut pas dépasser 128 caractères.'),
});

const recoveryForm = z.object({ identifiant: provisionalIdField, birthdate: birthdateField });

/** "J'ai un identifiant provisoire": the login of people the Caf knows before their NIR. */
export async function identifiantProvisoireRoutes(
  app: FastifyInstance,
  opts: { services: Services },
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
    const started = await startProvisionalRecovery(s, {
      provisionalId: form.data.identifiant,
      birthdate: form.data.birthdate,
      clientIp: request.ip,
      devices: devicesOf(request, s),
    });
    if (!started.ok) {
      return reply.code(429).page(RECOVERY_TEMPLATE, {
        values,
        errors: fieldError('identifiant', recoveryThrottledMessage(started.retryAt)),
      });
    }
    // A flow in every case (person null when nothing matched): same cookie, same redirect.
    const flow = await startFlow(s, recoveryFlow, {
      personId: started.personId,
      state: { codeVerified: null },
    });
    request.session.regenerate();
    setFlowCookie(request, flow);
    return reply.redirect(paths.motDePasseOublieCode, 303);
  });

  app.post(paths.identifiantProvisoire, async (request, reply) => {
    const values = formValues(request.body, ['identifiant']);
    const form = loginForm.safeParse(request.body);
    if (!form.success) {
      return reply.code(400).page(TEMPLATE, { values, errors: formErrors(form.error, FIELDS) });
    }
    const result = await loginWithProvisionalId(s, {
      provisionalId: form.data.identifiant,
      password: form.data.password,
      clientIp: request.ip,
      devices: devicesOf(request, s),
    });
    if (!result.ok) {
      const throttled = result.reason === 'throttled';
      return reply.code(throttled ? 429 : 401).page(TEMPLATE, {
        values,
        errors: fieldError(
          'password',
          throttled ? throttledMessage(result.retryAt) : PROVISIONAL_LOGIN_FAILED,
        ),
      });
    }
    rememberDevice(request, reply, s, provisionalSubject(form.data.identifiant));
    if (result.needsContact) {
      // Not a session yet: the contact step of the first connection comes first.
      const flow = await startFirstConnection(s, result.personId, {
        origin: 'ancien-mot-de-passe',
        passwordSet: true,
      });
      request.session.regenerate();
      setFlowCookie(request, flow);
      return reply.redirect(paths.premiereConnexionCoordonnees, 303);
    }
    await signIn(request, s, result.personId, 'password');
    return reply.redirect(paths.monCompte, 303);
  });
}
