import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { looksLikeLegacyPassword } from '#src/services/authentication.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { devicesOf, rememberDevice } from '../../device-cookie.ts';
import { nirField } from '../../fields.ts';
import { fieldError, formErrors, formValues } from '../../forms.ts';
import { setFlowCookie } from '../../flow-cookie.ts';
import { paths } from '../../paths.ts';
import { returnPathOf } from '../../return-path.ts';
import { loginContextOf, setSessionCookie } from '../../session-cookie.ts';
import { franceConnectOffer } from '../../franceconnect-offer.ts';
import { currentPassword } from '../../steps/password.ts';
import { FORGOTTEN_PASSWORD_HINT, throttled } from '../../steps/throttled.ts';

const TEMPLATE = 'pages/connexion/index.njk';
const FIELDS = ['nir', 'password', 'remember'] as const;
/** Same words for an unknown NIR, a person without an account and a wrong password. */
export const LOGIN_FAILED = 'Numéro de sécurité sociale ou mot de passe incorrect.';
const LEGACY_HINT =
  ' Si vous vous êtes déjà connecté avec votre numéro de sécurité sociale, utilisez le mot de passe que vous avez créé : l’ancien mot de passe à 8 chiffres ne sert plus que pour le téléphone.';

const loginForm = z.object({
  nir: nirField,
  password: currentPassword,
  remember: z.literal('on').optional(),
});

export async function connexionRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;
  const franceConnect = franceConnectOffer(s);

  app.get(paths.connexion, async (request, reply) => {
    if (request.principal) return reply.redirect(paths.monCompte, 303);
    const remembered = request.remember.get('nir');
    return reply.page(TEMPLATE, {
      franceConnect,
      sessionExpired: request.session.get('expiree') === true,
      values: { nir: remembered ?? '', remember: remembered ? 'on' : '' },
    });
  });

  app.post(paths.connexion, async (request, reply) => {
    const values = formValues(request.body, ['nir', 'remember']);
    const form = loginForm.safeParse(request.body);
    if (!form.success) {
      return reply.code(400).page(TEMPLATE, {
        franceConnect,
        sessionExpired: request.session.get('expiree') === true,
        values,
        errors: formErrors(form.error, FIELDS),
      });
    }
    const { nir, password, remember } = form.data;
    const result = await s.login.logIn({
      identifier: { kind: 'nir', nir },
      password,
      clientIp: request.ip,
      devices: devicesOf(request, s),
      context: loginContextOf(request),
    });
    if (!result.ok) {
      const refused =
        result.reason === 'throttled'
          ? throttled('password', result.retryAt, FORGOTTEN_PASSWORD_HINT)
          : {
              status: 401,
              errors: fieldError(
                'password',
                LOGIN_FAILED + (looksLikeLegacyPassword(password) ? LEGACY_HINT : ''),
              ),
            };
      return reply
        .code(refused.status)
        .page(TEMPLATE, { franceConnect, values, errors: refused.errors });
    }
    if (remember) request.remember.set('nir', nir);
    else request.remember.delete();
    if (result.next === 'device-code') {
      // A device not known yet: the code first, the device cookie with the session (ADR 0011).
      request.session.regenerate();
      setFlowCookie(request, result.flow);
      return reply.redirect(paths.connexionCode, 303);
    }
    rememberDevice(request, reply, s, result.loginIdentifier);
    if (result.next !== 'session') {
      // Not a session yet: first the personal password (legacy) and a validated contact.
      request.session.regenerate();
      setFlowCookie(request, result.flow);
      return reply.redirect(
        result.next === 'first-password'
          ? paths.premiereConnexion
          : paths.premiereConnexionCoordonnees,
        303,
      );
    }
    const retour = returnPathOf(app, request.session.get('retour'));
    setSessionCookie(request, result.session);
    return reply.redirect(retour ?? paths.monCompte, 303);
  });
}
