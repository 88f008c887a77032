import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { normalisePostcode } from '#src/domain/communes.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { confirmOnArrival } from '../../confirmation.ts';
import { dateField } from '../../fields.ts';
import { fieldError, formErrors, formValues, mergeErrors, type FormErrors } from '../../forms.ts';
import { paths } from '../../paths.ts';
import { isPlainText, PLAIN_TEXT_MESSAGE } from '../../plain-text.ts';
import { ForbiddenError } from '../../plugins/errors.ts';
import { principalOf } from '../../plugins/session.ts';

const TEMPLATE = 'pages/changement-adresse/index.njk';
const FIELDS = ['ligne1', 'ligne2', 'codePostal', 'commune', 'date', 'logement', 'cle'];

/** The move may be declared up to 3 months ahead and 2 years back. */
function moveLimits(today: Date) {
  const t = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  const latest = new Date(t);
  latest.setUTCMonth(latest.getUTCMonth() + 3);
  const earliest = new Date(t);
  earliest.setUTCFullYear(earliest.getUTCFullYear() - 2);
  return { earliest, latest };
}

function frDate(d: Date): string {
  return d.toISOString().slice(0, 10).split('-').reverse().join('/');
}

function addressForm(today: Date) {
  const { earliest, latest } = moveLimits(today);
  return z.object({
    ligne1: z
      .string({ error: 'Saisissez le numéro et le nom de la voie.' })
      .trim()
      .min(1, 'Saisissez le numéro et le nom de la voie.')
      .max(100, 'L’adresse ne doit pas dépasser 100 caractères.')
      .refine(isPlainText, PLAIN_TEXT_MESSAGE),
    ligne2: z
      .string({ error: 'Saisissez le complément d’adresse en une seule ligne.' })
      .trim()
      .max(100, 'Le complément d’adresse ne doit pas dépasser 100 caractères.')
      .refine(isPlainText, PLAIN_TEXT_MESSAGE)
      .optional(),
    codePostal: z
      .string({ error: 'Saisissez le code postal.' })
      .trim()
      .min(1, 'Saisissez le code postal.')
      .transform((v, ctx) => {
        const code = normalisePostcode(v);
        if (code) return code;
        ctx.addIssue({
          code: 'custom',
          message: 'Saisissez un code postal de 5 chiffres. Exemple : 69003.',
        });
        return z.NEVER;
      }),
    commune: z
      .string({ error: 'Saisissez le nom de la commune.' })
      .trim()
      .max(100, 'Le nom de la commune est trop long.')
      .refine(isPlainText, PLAIN_TEXT_MESSAGE)
      .optional(),
    date: dateField({
      missing: 'Saisissez la date de votre déménagement.',
      invalid:
        'Saisissez une date de déménagement valide, au format JJ/MM/AAAA. Exemple : 01/12/2026.',
    })
      .refine(
        (d) => Date.parse(d) <= latest.getTime(),
        `La date de déménagement ne peut pas être après le ${frDate(latest)} (3 mois au plus à l’avance).`,
      )
      .refine(
        (d) => Date.parse(d) >= earliest.getTime(),
        `La date de déménagement ne peut pas être avant le ${frDate(earliest)} (2 ans au plus). Pour un déménagement plus ancien, contactez votre Caf.`,
      ),
    logement: z.enum(['locataire', 'proprietaire', 'heberge', 'autre'], {
      error: 'Indiquez votre situation dans ce logement.',
    }),
    cle: z.uuid({ error: 'Le formulaire a expiré : rechargez la page.' }),
  });
}

/** /mon-compte/changement-adresse: declare a move; the Caf changes the dossier's address later. */
export async function changementAdresseRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;

  const render = async (
    request: FastifyRequest,
    values: Record<string, string>,
    extra: { errors?: FormErrors; choices?: readonly string[] } = {},
  ) => {
    const page = await s.addressChange.load(principalOf(request), paths.changementAdresse);
    if (!page.ok) throw new ForbiddenError();
    return { page, values, errors: extra.errors ?? null, choices: extra.choices ?? null };
  };

  app.get(paths.changementAdresse, async (request, reply) =>
    // A fresh key per form shown: submitting it twice records one démarche.
    reply.page(TEMPLATE, await render(request, { cle: randomUUID() })),
  );

  app.post(paths.changementAdresse, async (request, reply) => {
    const principal = principalOf(request);
    const values = formValues(request.body, FIELDS);
    const again = async (errors: FormErrors, choices?: readonly string[]) =>
      reply.code(400).page(
        TEMPLATE,
        await render(
          request,
          { ...values, cle: values.cle ?? randomUUID() },
          {
            errors,
            ...(choices ? { choices } : {}),
          },
        ),
      );
    const form = addressForm(s.now()).safeParse(request.body);
    // The commune is checked whenever the postal code is readable, so every error shows at once.
    const postcode = normalisePostcode(values.codePostal ?? '');
    const match = postcode ? s.addressChange.checkCommune(postcode, values.commune ?? '') : null;
    let communeError: FormErrors | null = null;
    let choices: readonly string[] | undefined;
    if (match && !match.ok) {
      if (match.reason === 'unknown-postcode') {
        communeError = fieldError(
          'codePostal',
          `Le code postal ${postcode ?? ''} n’existe pas. Vérifiez-le sur un courrier ou sur le site de La Poste.`,
        );
      } else {
        choices = match.choices;
        communeError = fieldError(
          'commune',
          match.reason === 'choose'
            ? `Choisissez votre commune parmi celles du code postal ${postcode ?? ''}.`
            : `La commune ne correspond pas au code postal ${postcode ?? ''}. Choisissez-la dans la liste.`,
        );
      }
    }
    if (!form.success)
      return again(
        communeError
          ? mergeErrors(communeError, formErrors(form.error, FIELDS), FIELDS)
          : formErrors(form.error, FIELDS),
        choices,
      );
    if (!match?.ok) {
      return again(communeError ?? fieldError('codePostal', 'Saisissez le code postal.'), choices);
    }
    const declared = await s.addressChange.declare(principal, {
      address: {
        line1: form.data.ligne1,
        line2: form.data.ligne2 ? form.data.ligne2 : null,
        postcode: form.data.codePostal,
        commune: match.commune,
      },
      moveDate: form.data.date,
      housing: form.data.logement,
      idempotencyKey: form.data.cle,
    });
    if (!declared.ok) throw new ForbiddenError();
    confirmOnArrival(request, 'changement-adresse');
    return reply.redirect(paths.monCompte, 303);
  });
}
