import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { ibanErrorMessage, parseBic, parseIban } from '#src/domain/iban.ts';
import type { Principal } from '#src/domain/principal.ts';
import type { BankDossier } from '#src/services/bank-details.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { flowIdOf, setFlowCookie } from '../../flow-cookie.ts';
import { fieldError, formErrors, formValues, type FormErrors } from '../../forms.ts';
import { paths } from '../../paths.ts';
import { ForbiddenError, type Refusal } from '../../plugins/errors.ts';
import { principalOf } from '../../plugins/session.ts';
import { franceConnectOffer } from '../../franceconnect-offer.ts';
import { codeForm, codeRefused, TOO_MANY_CODES } from '../../steps/code.ts';
import { currentPassword } from '../../steps/password.ts';
import { throttled } from '../../steps/throttled.ts';

const VIEWS = 'pages/coordonnees-bancaires';
const FIELDS = ['iban', 'bic'] as const;

const passwordForm = z.object({ password: currentPassword });

const bankForm = z.object({
  iban: z.string({ error: 'Saisissez l’IBAN du compte.' }).transform((input, ctx) => {
    const parsed = parseIban(input);
    if (parsed.ok) return parsed.iban;
    ctx.addIssue({ code: 'custom', message: ibanErrorMessage(parsed, input) });
    return z.NEVER;
  }),
  bic: z.string({ error: 'Saisissez le BIC de la banque.' }).transform((input, ctx) => {
    if (input.trim() === '') {
      ctx.addIssue({ code: 'custom', message: 'Saisissez le BIC de la banque.' });
      return z.NEVER;
    }
    const parsed = parseBic(input);
    if (parsed.ok) return parsed.bic;
    ctx.addIssue({
      code: 'custom',
      message: 'Le BIC comporte 8 ou 11 caractères, par exemple AGRIFRPP ou AGRIFRPPXXX.',
    });
    return z.NEVER;
  }),
  demande: z.uuid(),
});

export const STEP_UP_PASSWORD_FAILED = 'Mot de passe incorrect.';

/** This journey's wording on the one 403 page. */
const REFUSAL: Refusal = {
  title: 'Modification non autorisée',
  message:
    'Seuls l’allocataire et la personne à qui il a donné délégation peuvent modifier les coordonnées bancaires du dossier.',
};

/**
 * "Modifier mes coordonnées bancaires" (issue 5): for whom the access matrix allows it, after a
 * strong authentication of less than 10 minutes (FranceConnect+, or password + code).
 */
export async function coordonneesBancairesRoutes(
  app: FastifyInstance,
  opts: { services: UseCases },
) {
  const s = opts.services;
  const dossierShownAt = async (principal: Principal, route: string) => {
    const page = await s.bankDetails.loadPage(principal, route);
    if (!page.ok) throw new ForbiddenError(REFUSAL);
    return page.dossier;
  };

  const stepUpPage = async (
    reply: FastifyReply,
    principal: Principal,
    status = 200,
    errors?: FormErrors,
  ) =>
    reply.code(status).page(`${VIEWS}/authentification.njk`, {
      franceConnect: franceConnectOffer(s),
      passwordStepUp: await s.stepUp.canUsePassword(principal.personId),
      errors,
    });

  const formPage = (
    reply: FastifyReply,
    dossier: BankDossier,
    values: Record<string, string>,
    status = 200,
    errors?: FormErrors,
  ) =>
    reply.code(status).page(`${VIEWS}/index.njk`, {
      dossier,
      values: { ...values, demande: values.demande ?? randomUUID() },
      errors,
    });

  app.get(paths.coordonneesBancaires, async (request, reply) => {
    const principal = principalOf(request);
    const dossier = await dossierShownAt(principal, paths.coordonneesBancaires);
    if (!(await s.stepUp.hasStrongAuthentication(principal))) return stepUpPage(reply, principal);
    return formPage(reply, dossier, {});
  });

  app.post(paths.coordonneesBancaires, async (request, reply) => {
    const principal = principalOf(request);
    const dossier = await dossierShownAt(principal, paths.coordonneesBancaires);
    if (!(await s.stepUp.hasStrongAuthentication(principal)))
      return stepUpPage(reply, principal, 403);
    const values = formValues(request.body, ['iban', 'bic', 'demande']);
    const form = bankForm.safeParse(request.body);
    if (!form.success) {
      return formPage(reply, dossier, values, 400, formErrors(form.error, FIELDS));
    }
    const result = await s.bankDetails.change(principal, {
      requestId: form.data.demande,
      iban: form.data.iban,
      bic: form.data.bic,
      authMethod: s.stepUp.method(principal, s.now()),
      route: paths.coordonneesBancaires,
    });
    if (!result.ok) throw new ForbiddenError(REFUSAL);
    return reply.redirect(paths.coordonneesBancairesEnregistrees, 303);
  });

  app.get(paths.coordonneesBancairesEnregistrees, async (request, reply) => {
    const principal = principalOf(request);
    const dossier = await dossierShownAt(principal, paths.coordonneesBancairesEnregistrees);
    return reply.page(`${VIEWS}/enregistrees.njk`, { dossier });
  });

  app.post(paths.coordonneesBancairesVerification, async (request, reply) => {
    const principal = principalOf(request);
    const form = passwordForm.safeParse(request.body);
    if (!form.success) {
      return stepUpPage(reply, principal, 400, formErrors(form.error, ['password']));
    }
    const started = await s.stepUp.startWithPassword(principal, form.data.password, request.ip);
    if (!started.ok) {
      if (started.reason === 'throttled') {
        const refused = throttled('password', started.retryAt);
        return stepUpPage(reply, principal, refused.status, refused.errors);
      }
      const [status, message] =
        started.reason === 'too-many-codes'
          ? [429, TOO_MANY_CODES]
          : started.reason === 'unavailable'
            ? [
                400,
                'Cette vérification demande un mot de passe Mon Compte et une adresse électronique ou un mobile validés.',
              ]
            : [401, STEP_UP_PASSWORD_FAILED];
      return stepUpPage(reply, principal, status, fieldError('password', message));
    }
    setFlowCookie(request, started.flow);
    return reply.redirect(paths.coordonneesBancairesCode, 303);
  });

  app.get(paths.coordonneesBancairesCode, async (request, reply) => {
    const principal = principalOf(request);
    const stepUp = await s.stepUp.read(principal, flowIdOf(request));
    if (!stepUp) return reply.redirect(paths.coordonneesBancaires, 303);
    return reply.page(`${VIEWS}/code.njk`, { contact: stepUp.state });
  });

  app.post(paths.coordonneesBancairesCode, async (request, reply) => {
    const principal = principalOf(request);
    const stepUp = await s.stepUp.read(principal, flowIdOf(request));
    if (!stepUp) return reply.redirect(paths.coordonneesBancaires, 303);
    const contact = stepUp.state;
    const form = codeForm.safeParse(request.body);
    if (!form.success) {
      return reply
        .code(400)
        .page(`${VIEWS}/code.njk`, { contact, errors: formErrors(form.error, ['code']) });
    }
    const check = await s.stepUp.finishWithCode(principal, {
      flowId: stepUp.id,
      code: form.data.code,
      clientIp: request.ip,
    });
    // Consumed already (a replayed cookie, a double submit): the page says where things stand.
    if (check === 'gone') return reply.redirect(paths.coordonneesBancaires, 303);
    if (!check.ok) {
      const refused = codeRefused(check);
      return reply
        .code(refused.status)
        .page(`${VIEWS}/code.njk`, { contact, errors: refused.errors });
    }
    return reply.redirect(paths.coordonneesBancaires, 303);
  });
}
