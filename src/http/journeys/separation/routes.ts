import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { UseCases } from '#src/services/use-cases.ts';
import { confirmOnArrival } from '../../confirmation.ts';
import { dateField } from '../../fields.ts';
import { formErrors, formValues } from '../../forms.ts';
import { paths } from '../../paths.ts';
import { ForbiddenError } from '../../plugins/errors.ts';
import { principalOf } from '../../plugins/session.ts';

const TEMPLATE = 'pages/separation/index.njk';

function separationForm(today: Date) {
  return z.object({
    date: dateField({
      missing: 'Saisissez la date de la séparation.',
      invalid:
        'Saisissez une date de séparation valide, au format JJ/MM/AAAA. Exemple : 14/05/2026.',
    }).refine(
      (d) => Date.parse(d) <= today.getTime(),
      'La date de séparation ne peut pas être dans le futur.',
    ),
    confirmation: z.literal('on', { error: 'Cochez la case pour confirmer votre déclaration.' }),
    cle: z.uuid({ error: 'Le formulaire a expiré : rechargez la page.' }),
  });
}

/** /mon-compte/separation: a member of the couple declares a separation (docs/design.md §3). */
export async function separationRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;

  app.get(paths.separation, async (request, reply) => {
    const found = await s.household.forSeparation(principalOf(request), 'declare-separation');
    if (!found.ok) throw new ForbiddenError();
    const { household } = found;
    // A fresh key per form shown: submitting it twice records one démarche.
    return reply.page(TEMPLATE, { household, values: { cle: randomUUID() } });
  });

  app.post(paths.separation, async (request, reply) => {
    const principal = principalOf(request);
    const values = formValues(request.body, ['date', 'cle']);
    const form = separationForm(s.now()).safeParse(request.body);
    if (!form.success) {
      const found = await s.household.forSeparation(principal, 'declare-separation');
      if (!found.ok) throw new ForbiddenError();
      return reply.code(400).page(TEMPLATE, {
        household: found.household,
        values: { ...values, cle: values.cle ?? randomUUID() },
        errors: formErrors(form.error, ['date', 'confirmation', 'cle']),
      });
    }
    const declared = await s.household.declareSeparation(principal, {
      date: form.data.date,
      idempotencyKey: form.data.cle,
    });
    if (!declared.ok) throw new ForbiddenError();
    // Post/redirect/get: the dashboard confirms once and shows the démarche under study.
    confirmOnArrival(request, 'separation');
    return reply.redirect(paths.monCompte, 303);
  });
}
