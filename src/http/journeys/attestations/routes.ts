import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AttestationIssue } from '#src/services/attestations.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { dateField } from '../../fields.ts';
import { publicOrigin } from '../../franceconnect-offer.ts';
import { fieldError, formErrors, formValues, type FormErrors } from '../../forms.ts';
import { paths } from '../../paths.ts';
import { ForbiddenError } from '../../plugins/errors.ts';
import { dossiersOf, principalOf } from '../../plugins/session.ts';

const TEMPLATE = 'pages/attestations/index.njk';
const FIELDS = ['prestation', 'du', 'au'] as const;
const MAX_MONTHS = 24;

export const NO_PAYMENTS = 'Aucun paiement de cette prestation n’a été versé sur cette période.';
export const NO_QUOTIENT =
  'Votre quotient familial n’est pas encore calculé : la Caf vous l’indiquera par courrier.';

function addMonths(isoDate: string, months: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

/** The attestation de paiement: a benefit of the dossier and a period of at most 24 months. */
function paymentForm(benefits: readonly string[], today: string) {
  return z
    .object({
      prestation: z
        .string({ error: 'Choisissez la prestation.' })
        .refine((b) => benefits.includes(b), 'Choisissez la prestation.'),
      du: dateField({
        missing: 'Saisissez le premier jour de la période.',
        invalid: 'Saisissez une date de début valide, au format JJ/MM/AAAA. Exemple : 01/01/2026.',
      }),
      au: dateField({
        missing: 'Saisissez le dernier jour de la période.',
        invalid: 'Saisissez une date de fin valide, au format JJ/MM/AAAA. Exemple : 31/10/2026.',
      }),
    })
    .superRefine((v, ctx) => {
      if (v.au > today) {
        ctx.addIssue({
          code: 'custom',
          path: ['au'],
          message: 'La date de fin ne peut pas être dans le futur.',
        });
      } else if (v.du > v.au) {
        ctx.addIssue({
          code: 'custom',
          path: ['au'],
          message: 'La date de fin doit être le même jour que la date de début ou après.',
        });
      } else if (addMonths(v.du, MAX_MONTHS) < v.au) {
        ctx.addIssue({
          code: 'custom',
          path: ['du'],
          message:
            'Une attestation couvre au plus 24 mois : choisissez une date de début plus récente.',
        });
      }
    });
}

/**
 * "Mes attestations" (issue 14): attestation de paiement and de quotient familial, as PDFs in
 * the holder's name with a reference a landlord checks on /verifier-une-attestation.
 */
export async function attestationsRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;

  const page = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, string> = {},
    status = 200,
    errors?: FormErrors,
    quotientError?: string,
  ) => {
    const loaded = await s.attestations.load(
      principalOf(request),
      dossiersOf(request),
      paths.attestations,
    );
    if (!loaded.ok) throw new ForbiddenError();
    return reply.code(status).page(TEMPLATE, { page: loaded, values, errors, quotientError });
  };

  const download = (reply: FastifyReply, issued: AttestationIssue & { ok: true }) =>
    reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${issued.fileName}"`)
      .send(issued.pdf);

  app.get(paths.attestations, async (request, reply) => page(request, reply));

  app.post(paths.attestationPaiement, async (request, reply) => {
    const principal = principalOf(request);
    const values = formValues(request.body, [...FIELDS]);
    const loaded = await s.attestations.load(
      principal,
      dossiersOf(request),
      paths.attestationPaiement,
    );
    if (!loaded.ok) throw new ForbiddenError();
    const today = s.now().toISOString().slice(0, 10);
    const form = paymentForm(loaded.benefits, today).safeParse(request.body);
    if (!form.success) {
      return page(request, reply, values, 400, formErrors(form.error, FIELDS));
    }
    const issued = await s.attestations.issue(
      principal,
      {
        kind: 'paiement',
        benefit: form.data.prestation,
        periodStart: form.data.du,
        periodEnd: form.data.au,
      },
      {
        route: paths.attestationPaiement,
        verificationUrl: `${publicOrigin(s, request)}${paths.verifierAttestation}`,
      },
    );
    if (!issued.ok) {
      if (issued.reason === 'no-payments') {
        return page(request, reply, values, 400, fieldError('prestation', NO_PAYMENTS));
      }
      throw new ForbiddenError();
    }
    return download(reply, issued);
  });

  app.post(paths.attestationQuotientFamilial, async (request, reply) => {
    const principal = principalOf(request);
    const issued = await s.attestations.issue(
      principal,
      { kind: 'quotient-familial' },
      {
        route: paths.attestationQuotientFamilial,
        verificationUrl: `${publicOrigin(s, request)}${paths.verifierAttestation}`,
      },
    );
    if (!issued.ok) {
      if (issued.reason === 'no-quotient') {
        return page(request, reply, {}, 400, undefined, NO_QUOTIENT);
      }
      throw new ForbiddenError();
    }
    return download(reply, issued);
  });
}
