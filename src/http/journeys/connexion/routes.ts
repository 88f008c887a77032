import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { nirErrorMessage, parseNir } from '#src/domain/nir.ts';
import { loginWithNir } from '#src/services/authentication.ts';
import type { Services } from '#src/services/index.ts';
import { openSession } from '#src/services/sessions.ts';
import { fieldError, formErrors, formValues } from '../../forms.ts';
import { paths } from '../../paths.ts';

const TEMPLATE = 'pages/connexion/index.njk';
const FIELDS = ['nir', 'password', 'remember'] as const;
/** Same words for an unknown NIR, a person without an account and a wrong password. */
export const LOGIN_FAILED = 'Numéro de sécurité sociale ou mot de passe incorrect.';

const loginForm = z.object({
  nir: z
    .string({ error: 'Saisissez votre numéro de sécurité sociale.' })
    .trim()
    .min(1, 'Saisissez votre numéro de sécurité sociale.')
    .transform((input, ctx) => {
      const parsed = parseNir(input);
      if (parsed.ok) return parsed.nir.value;
      ctx.addIssue({ code: 'custom', message: nirErrorMessage(parsed.error) });
      return z.NEVER;
    }),
  password: z
    .string({ error: 'Saisissez votre mot de passe.' })
    .min(1, 'Saisissez votre mot de passe.')
    .max(128, 'Le mot de passe ne peut pas dépasser 128 caractères.'),
  remember: z.literal('on').optional(),
});

export async function connexionRoutes(app: FastifyInstance, opts: { services: Services }) {
  const { pool, hasher, config } = opts.services;

  app.get(paths.connexion, async (request, reply) => {
    if (request.principal) return reply.redirect(paths.monCompte, 303);
    const remembered = request.remember.get('nir');
    return reply.page(TEMPLATE, {
      values: { nir: remembered ?? '', remember: remembered ? 'on' : '' },
    });
  });

  app.post(paths.connexion, async (request, reply) => {
    const values = formValues(request.body, ['nir', 'remember']);
    const form = loginForm.safeParse(request.body);
    if (!form.success) {
      return reply.code(400).page(TEMPLATE, { values, errors: formErrors(form.error, FIELDS) });
    }
    const result = await loginWithNir(pool, hasher, form.data.nir, form.data.password);
    if (!result.ok) {
      return reply
        .code(401)
        .page(TEMPLATE, { values, errors: fieldError('password', LOGIN_FAILED) });
    }
    const claims = await openSession(pool, config.session, {
      personId: result.personId,
      method: 'password',
      acr: null,
      clientIp: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
    });
    // A fresh cookie at login: nothing from before authentication survives (no fixation).
    request.session.regenerate();
    request.session.set('sid', claims.sid);
    request.session.set('pid', claims.pid);
    if (form.data.remember) request.remember.set('nir', form.data.nir);
    else request.remember.delete();
    return reply.redirect(paths.monCompte, 303);
  });
}
