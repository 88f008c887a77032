import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { UseCases } from '#src/services/use-cases.ts';
import { fieldError } from '../../forms.ts';
import { paths } from '../../paths.ts';
import { ForbiddenError } from '../../plugins/errors.ts';
import { dossiersOf, principalOf } from '../../plugins/session.ts';
import { chartMarkup, monthsMarkup } from './markup.ts';

/** The year filter: empty or absent is the 24 months; anything else must be a year. */
const filter = z.object({
  annee: z
    .union([z.literal(''), z.string().regex(/^\d{4}$/)])
    .optional()
    .transform((v) => (v ? Number(v) : null)),
});
const detail = z.object({ id: z.string().regex(/^[1-9]\d{0,17}$/) });

/** /mon-compte/paiements: 24 months of payments, a chart above the table, each payment's detail. */
export async function paiementsRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;

  app.get(paths.paiements, async (request, reply) => {
    const asked = filter.safeParse(request.query);
    const year = asked.success ? asked.data.annee : null;
    const found = await s.payments.list(principalOf(request), dossiersOf(request), {
      route: paths.paiements,
      year,
    });
    if (!found.ok) throw new ForbiddenError();
    const { view } = found;
    // A year outside the filter's choices (typed into the address): the 24 months, and why.
    const invalid = !asked.success || view.yearOutOfRange;
    const first = view.years[view.years.length - 1];
    const latest = view.years[0];
    return reply.code(invalid ? 400 : 200).page('pages/paiements/index.njk', {
      view,
      parts: {
        months: monthsMarkup(view.months),
        chart: view.count ? chartMarkup(view.chart) : null,
      },
      errors: invalid
        ? fieldError(
            'annee',
            `Choisissez une année entre ${String(first)} et ${String(latest)}, ou « Les 24 derniers mois ».`,
          )
        : null,
    });
  });

  app.get(`${paths.paiements}/:id`, async (request, reply) => {
    const params = detail.safeParse(request.params);
    if (!params.success) {
      reply.callNotFound();
      return reply;
    }
    const found = await s.payments.detail(principalOf(request), dossiersOf(request), {
      route: `${paths.paiements}/:id`,
      id: params.data.id,
    });
    if (!found.ok) {
      if (found.reason === 'not-found') {
        reply.callNotFound();
        return reply;
      }
      throw new ForbiddenError();
    }
    return reply.page('pages/paiements/detail.njk', { view: found.view });
  });
}
