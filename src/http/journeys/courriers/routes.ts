import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Principal } from '#src/domain/principal.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { flowIdOf, setFlowCookie } from '../../flow-cookie.ts';
import { franceConnectOffer } from '../../franceconnect-offer.ts';
import { fieldError, formErrors, type FormErrors } from '../../forms.ts';
import { paths, withId } from '../../paths.ts';
import { ForbiddenError } from '../../plugins/errors.ts';
import { dossiersOf, principalOf } from '../../plugins/session.ts';
import { codeForm, codeRefused, TOO_MANY_CODES } from '../../steps/code.ts';
import { currentPassword } from '../../steps/password.ts';
import { throttled } from '../../steps/throttled.ts';

const VIEWS = 'pages/courriers';

/** The one 404 page: a letter that is not the person's is answered like one that does not exist. */
function notFound(reply: FastifyReply): FastifyReply {
  reply.callNotFound();
  return reply;
}

const letterParams = z.object({ id: z.uuid() });
const passwordForm = z.object({ password: currentPassword });

export const STEP_UP_PASSWORD_FAILED = 'Mot de passe incorrect.';
const STEP_UP_UNAVAILABLE =
  'Cette vérification demande un mot de passe Mon Compte et une adresse électronique ou un mobile validés.';

/**
 * "Mes courriers" (issue 14): the letters the person may read, each a PDF made on the server.
 * A registered electronic letter (LRE) opens after the strong authentication of bank details
 * (FranceConnect+ within 10 minutes, or password + code: the same use cases, the same session
 * mark); its first opening is the acknowledgment of receipt.
 */
export async function courriersRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;

  /** The letter id of the URL, or the 404 page (a malformed id is no letter). */
  const letterIdOf = (request: FastifyRequest): string | null => {
    const parsed = letterParams.safeParse(request.params);
    return parsed.success ? parsed.data.id : null;
  };

  /** The steps exist only for an LRE the person may read; anything else is "not found". */
  const registeredLetterOf = async (request: FastifyRequest, principal: Principal) => {
    const id = letterIdOf(request);
    return id && (await s.letters.isRegistered(principal, id)) ? id : null;
  };

  const stepUpPage = async (
    reply: FastifyReply,
    principal: Principal,
    letterId: string,
    status = 200,
    errors?: FormErrors,
  ) =>
    reply.code(status).page(`${VIEWS}/authentification.njk`, {
      letterId,
      franceConnect: franceConnectOffer(s),
      passwordStepUp: await s.stepUp.canUsePassword(principal.personId),
      errors,
    });

  app.get(paths.courriers, async (request, reply) => {
    const page = await s.letters.load(principalOf(request), dossiersOf(request), paths.courriers);
    if (!page.ok) throw new ForbiddenError();
    return reply.page(`${VIEWS}/index.njk`, { page });
  });

  app.get(paths.courrier, async (request, reply) => {
    const principal = principalOf(request);
    const id = letterIdOf(request);
    if (!id) return notFound(reply);
    const opened = await s.letters.open(principal, id, paths.courrier);
    if (!opened.ok) {
      if (opened.reason === 'strong-auth') {
        return reply.redirect(withId(paths.courrierVerification, id), 303);
      }
      // Not theirs, unknown, or no dossier at all: the same page, nothing said of the letter.
      return notFound(reply);
    }
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="${opened.fileName}"`)
      .send(opened.pdf);
  });

  app.get(paths.courrierVerification, async (request, reply) => {
    const principal = principalOf(request);
    const id = await registeredLetterOf(request, principal);
    if (!id) return notFound(reply);
    if (await s.stepUp.hasStrongAuthentication(principal)) {
      return reply.redirect(withId(paths.courrier, id), 303);
    }
    return stepUpPage(reply, principal, id);
  });

  app.post(paths.courrierVerification, async (request, reply) => {
    const principal = principalOf(request);
    const id = await registeredLetterOf(request, principal);
    if (!id) return notFound(reply);
    const form = passwordForm.safeParse(request.body);
    if (!form.success) {
      return stepUpPage(reply, principal, id, 400, formErrors(form.error, ['password']));
    }
    const started = await s.stepUp.startWithPassword(
      principal,
      form.data.password,
      request.ip,
      'registered-letter',
    );
    if (!started.ok) {
      if (started.reason === 'throttled') {
        const refused = throttled('password', started.retryAt);
        return stepUpPage(reply, principal, id, refused.status, refused.errors);
      }
      const [status, message] =
        started.reason === 'too-many-codes'
          ? [429, TOO_MANY_CODES]
          : started.reason === 'unavailable'
            ? [400, STEP_UP_UNAVAILABLE]
            : [401, STEP_UP_PASSWORD_FAILED];
      return stepUpPage(reply, principal, id, status, fieldError('password', message));
    }
    setFlowCookie(request, started.flow);
    return reply.redirect(withId(paths.courrierCode, id), 303);
  });

  app.get(paths.courrierCode, async (request, reply) => {
    const principal = principalOf(request);
    const id = await registeredLetterOf(request, principal);
    if (!id) return notFound(reply);
    const stepUp = await s.stepUp.read(principal, flowIdOf(request));
    if (!stepUp) return reply.redirect(withId(paths.courrierVerification, id), 303);
    return reply.page(`${VIEWS}/code.njk`, { letterId: id, contact: stepUp.state });
  });

  app.post(paths.courrierCode, async (request, reply) => {
    const principal = principalOf(request);
    const id = await registeredLetterOf(request, principal);
    if (!id) return notFound(reply);
    const stepUp = await s.stepUp.read(principal, flowIdOf(request));
    if (!stepUp) return reply.redirect(withId(paths.courrierVerification, id), 303);
    const contact = stepUp.state;
    const form = codeForm.safeParse(request.body);
    if (!form.success) {
      return reply.code(400).page(`${VIEWS}/code.njk`, {
        letterId: id,
        contact,
        errors: formErrors(form.error, ['code']),
      });
    }
    const check = await s.stepUp.finishWithCode(principal, {
      flowId: stepUp.id,
      code: form.data.code,
      clientIp: request.ip,
    });
    if (check === 'gone') return reply.redirect(withId(paths.courrierVerification, id), 303);
    if (!check.ok) {
      const refused = codeRefused(check);
      return reply
        .code(refused.status)
        .page(`${VIEWS}/code.njk`, { letterId: id, contact, errors: refused.errors });
    }
    // Back to the list, at the letter: its link now opens it (and records the receipt).
    return reply.redirect(`${paths.courriers}#courrier-${id}`, 303);
  });
}
