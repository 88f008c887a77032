import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  looksLikeLegacyPassword,
  loginWithNir,
  nirLoginIdentifier,
} from '#src/services/authentication.ts';
import { startFirstConnection } from '#src/services/first-connection.ts';
import type { Services } from '#src/services/index.ts';
import { devicesOf, rememberDevice } from '../../device-cookie.ts';
import { nirField } from '../../fields.ts';
import { fieldError, formErrors, formValues } from '../../forms.ts';
import { setFlowCookie } from '../../flow-cookie.ts';
import { paths } from '../../paths.ts';
import { retryTime, signIn } from '../../sign-in.ts';
import { franceConnectOffer } from '../../franceconnect-offer.ts';

const TEMPLATE = 'pages/connexion/index.njk';
const FIELDS = ['nir', 'password', 'remember'] as const;
/** Same words for an unknown NIR, a person without an account and a wrong password. */
export const LOGIN_FAILED = 'Numéro de sécurité sociale ou mot de passe incorrect.';
const LEGACY_HINT =
  ' Si vous vous êtes déjà connecté avec votre numéro de sécurité sociale, utilisez le mot de passe que vous avez créé : l’ancien mot de passe à 8 chiffres ne sert plus que pour le téléphone.';

const loginForm = z.object({
  nir: nirField,
  password: z
    .string({ error: 'Saisissez votre mot de passe.' })
    .min(1, 'Saisissez votre mot de passe.')
    .max(128, 'Le mot de passe ne peut pas dépasser 128 caractères.'),
  remember: z.literal('on').optional(),
});

export function throttledMessage(retryAt: Date): string {
  return `Trop de tentatives. Par sécurité, réessayez à partir de ${retryTime(retryAt)}. Vous pouvez aussi choisir un nouveau mot de passe avec « Mot de passe oublié ? ».`;
}

export async function connexionRoutes(app: FastifyInstance, opts: { services: Services }) {
  const s = opts.services;
  const franceConnect = franceConnectOffer(s);

  app.get(paths.connexion, async (request, reply) => {
    if (request.principal) return reply.redirect(paths.monCompte, 303);
    const remembered = request.remember.get('nir');
    return reply.page(TEMPLATE, {
      franceConnect,
      values: { nir: remembered ?? '', remember: remembered ? 'on' : '' },
    });
  });

  app.post(paths.connexion, async (request, reply) => {
    const values = formValues(request.body, ['nir', 'remember']);
    const form = loginForm.safeParse(request.body);
    if (!form.success) {
      return reply.code(400).page(TEMPLATE, {
        franceConnect,
        values,
        errors: formErrors(form.error, FIELDS),
      });
    }
    const { nir, password, remember } = form.data;
    const result = await loginWithNir(s, {
      nir,
      password,
      clientIp: request.ip,
      devices: devicesOf(request, s),
    });
    if (!result.ok) {
      const message =
        result.reason === 'throttled'
          ? throttledMessage(result.retryAt)
          : LOGIN_FAILED + (looksLikeLegacyPassword(password) ? LEGACY_HINT : '');
      return reply.code(result.reason === 'throttled' ? 429 : 401).page(TEMPLATE, {
        franceConnect,
        values,
        errors: fieldError('password', message),
      });
    }
    rememberDevice(request, reply, s, nirLoginIdentifier(nir));
    if (remember) request.remember.set('nir', nir);
    else request.remember.delete();
    if (result.via === 'legacy' || result.needsContact) {
      // Not a session yet: first the personal password (legacy) and a validated contact.
      const flow = await startFirstConnection(s, result.personId, {
        origin: 'ancien-mot-de-passe',
        passwordSet: result.via === 'password',
      });
      request.session.regenerate();
      setFlowCookie(request, flow);
      return reply.redirect(
        result.via === 'legacy' ? paths.premiereConnexion : paths.premiereConnexionCoordonnees,
        303,
      );
    }
    await signIn(request, s, result.personId, 'password');
    return reply.redirect(paths.monCompte, 303);
  });
}
