import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { UseCases } from '#src/services/use-cases.ts';
import { fieldError, formErrors, formValues } from '../../forms.ts';
import { setFlowCookie } from '../../flow-cookie.ts';
import { paths } from '../../paths.ts';
import { nirField } from '../../fields.ts';
import { FORGOTTEN_PASSWORD_HINT, throttled } from '../../steps/throttled.ts';

const TEMPLATE = 'pages/activer-mon-compte/index.njk';
const ACTIVATION_FAILED =
  'Numéro de sécurité sociale ou code d’activation incorrect, ou invitation expirée. Demandez à l’allocataire de vous inviter à nouveau si besoin.';

const activationForm = z.object({
  nir: nirField,
  code: z
    .string({ error: 'Saisissez le code d’activation reçu.' })
    .trim()
    .min(1, 'Saisissez le code d’activation reçu.')
    .max(20, 'Le code d’activation comporte 8 caractères, par exemple ABCD-EFGH.'),
});

/**
 * /activer-mon-compte: an invited member (conjoint, child or member aged 15 or more) proves who
 * they are with their own NIR and the activation code, then goes through the first-connection
 * steps: personal password, contact validated by a code, Mon Compte.
 */
export async function activerMonCompteRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;

  app.get(paths.activerMonCompte, async (_request, reply) => reply.page(TEMPLATE, { values: {} }));

  app.post(paths.activerMonCompte, async (request, reply) => {
    const values = formValues(request.body, ['nir', 'code']);
    const form = activationForm.safeParse(request.body);
    if (!form.success)
      return reply
        .code(400)
        .page(TEMPLATE, { values, errors: formErrors(form.error, ['nir', 'code']) });
    const result = await s.activation.activate({ ...form.data, clientIp: request.ip });
    if (!result.ok) {
      const refused =
        result.reason === 'throttled'
          ? throttled('code', result.retryAt, FORGOTTEN_PASSWORD_HINT)
          : { status: 400, errors: fieldError('code', ACTIVATION_FAILED) };
      return reply.code(refused.status).page(TEMPLATE, { values, errors: refused.errors });
    }
    request.session.regenerate();
    setFlowCookie(request, result.flow);
    return reply.redirect(paths.premiereConnexion, 303);
  });
}
