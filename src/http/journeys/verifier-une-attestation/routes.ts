import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { UseCases } from '#src/services/use-cases.ts';
import { fieldError, formErrors, formValues } from '../../forms.ts';
import { paths } from '../../paths.ts';
import { throttled } from '../../steps/throttled.ts';

const TEMPLATE = 'pages/verifier-une-attestation/index.njk';

export const UNKNOWN_REFERENCE = 'Aucune attestation ne correspond à cette référence.';

const referenceForm = z.object({
  reference: z
    .string({ error: 'Saisissez la référence de l’attestation.' })
    .trim()
    .min(1, 'Saisissez la référence de l’attestation.')
    .max(64, UNKNOWN_REFERENCE),
});

/**
 * /verifier-une-attestation (public): a landlord types the reference printed on an attestation
 * and learns whether the Caf issued it, when, and of which kind — at most the holder's initials.
 */
export async function verifierUneAttestationRoutes(
  app: FastifyInstance,
  opts: { services: UseCases },
) {
  const s = opts.services;

  app.get(paths.verifierAttestation, async (_request, reply) =>
    reply.page(TEMPLATE, { values: {} }),
  );

  app.post(paths.verifierAttestation, async (request, reply) => {
    const values = formValues(request.body, ['reference']);
    const form = referenceForm.safeParse(request.body);
    if (!form.success) {
      return reply
        .code(400)
        .page(TEMPLATE, { values, errors: formErrors(form.error, ['reference']) });
    }
    const verdict = await s.attestations.verify(form.data.reference, request.ip);
    if (verdict.status === 'throttled') {
      const refused = throttled('reference', verdict.retryAt);
      return reply.code(refused.status).page(TEMPLATE, { values, errors: refused.errors });
    }
    if (verdict.status === 'unknown') {
      // One answer for a forged, mistyped or malformed reference.
      return reply.page(TEMPLATE, { values, errors: fieldError('reference', UNKNOWN_REFERENCE) });
    }
    return reply.page(TEMPLATE, { values, genuine: verdict.attestation });
  });
}
