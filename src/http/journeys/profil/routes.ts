import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Principal } from '#src/domain/principal.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { flowIdOf, setFlowCookie } from '../../flow-cookie.ts';
import { fieldError, formErrors, formValues, type FormErrors } from '../../forms.ts';
import { paths } from '../../paths.ts';
import { principalOf } from '../../plugins/session.ts';
import { codeForm, codeRefused, TOO_MANY_CODES } from '../../steps/code.ts';
import { contactForm } from '../../steps/contact.ts';
import { currentPassword, newPasswordForm, policyErrors } from '../../steps/password.ts';
import { throttled } from '../../steps/throttled.ts';

const VIEWS = 'pages/profil';

export const CURRENT_PASSWORD_WRONG = 'Mot de passe actuel incorrect.';
export const LAST_CONTACT =
  'Vous ne pouvez pas supprimer votre dernière coordonnée validée : ajoutez et validez d’abord une autre adresse électronique ou un autre mobile.';

/** What a redirect back to a profile page says happened (a fixed list, nothing echoed). */
const done = z.object({
  fait: z
    .enum(['adresse-electronique', 'mobile', 'suppression', 'mot-de-passe', 'une', 'autres'])
    .optional()
    .catch(undefined),
});

const passwordChangeForm = newPasswordForm.extend({ current: currentPassword });
const removalForm = z.object({ channel: z.enum(['email', 'sms']) });
const sessionForm = z.object({ session: z.string().max(64) });

/** The contact pages: one per channel, the same steps. */
const CHANNELS = {
  email: { path: paths.profilAdresseElectronique, field: 'email', done: 'adresse-electronique' },
  sms: { path: paths.profilMobile, field: 'phone', done: 'mobile' },
} as const;

/**
 * "Mon profil" (issue 8): contacts, password, "Mes connexions", "Historique de connexion".
 * Every action is the signed-in person's own: services filter on the principal.
 */
export async function profilRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;

  const profilePage = async (
    reply: FastifyReply,
    principal: Principal,
    fait: string | undefined,
    status = 200,
    errors?: FormErrors,
  ) =>
    reply.code(status).page(`${VIEWS}/index.njk`, {
      contacts: await s.profile.contacts(principal),
      fait,
      errors,
    });

  app.get(paths.profil, async (request, reply) =>
    profilePage(reply, principalOf(request), done.parse(request.query ?? {}).fait),
  );

  for (const channel of ['email', 'sms'] as const) {
    const { path, field } = CHANNELS[channel];
    const contactPage = (
      reply: FastifyReply,
      values: Record<string, string>,
      status = 200,
      errors?: FormErrors,
    ) => reply.code(status).page(`${VIEWS}/coordonnee.njk`, { channel, path, values, errors });

    app.get(path, async (_request, reply) => contactPage(reply, {}));

    app.post(path, async (request, reply) => {
      const principal = principalOf(request);
      const values = formValues(request.body, [field]);
      const form = contactForm.safeParse({ ...values, channel });
      if (!form.success) return contactPage(reply, values, 400, formErrors(form.error, [field]));
      const started = await s.profile.startContactChange(principal, form.data);
      if (!started.ok) {
        const [status, message] =
          started.reason === 'too-many-codes'
            ? [429, TOO_MANY_CODES]
            : [400, 'C’est déjà votre coordonnée validée : saisissez-en une nouvelle.'];
        return contactPage(reply, values, status, fieldError(field, message));
      }
      setFlowCookie(request, started.flow);
      return reply.redirect(paths.profilCode, 303);
    });
  }

  app.get(paths.profilCode, async (request, reply) => {
    const change = await s.profile.readContactChange(principalOf(request), flowIdOf(request));
    if (!change) return reply.redirect(paths.profil, 303);
    return reply.page(`${VIEWS}/code.njk`, { contact: change.state });
  });

  app.post(paths.profilCode, async (request, reply) => {
    const principal = principalOf(request);
    const change = await s.profile.readContactChange(principal, flowIdOf(request));
    if (!change) return reply.redirect(paths.profil, 303);
    const contact = change.state;
    const form = codeForm.safeParse(request.body);
    if (!form.success) {
      return reply
        .code(400)
        .page(`${VIEWS}/code.njk`, { contact, errors: formErrors(form.error, ['code']) });
    }
    const check = await s.profile.confirmContactChange(principal, {
      flowId: change.id,
      code: form.data.code,
      clientIp: request.ip,
    });
    if (check === 'gone') return reply.redirect(paths.profil, 303);
    if (!check.ok) {
      const refused = codeRefused(check);
      return reply
        .code(refused.status)
        .page(`${VIEWS}/code.njk`, { contact, errors: refused.errors });
    }
    return reply.redirect(`${paths.profil}?fait=${CHANNELS[contact.channel].done}`, 303);
  });

  app.post(paths.profilSuppression, async (request, reply) => {
    const principal = principalOf(request);
    const form = removalForm.safeParse(request.body);
    if (!form.success) return reply.redirect(paths.profil, 303);
    const removed = await s.profile.removeContact(principal, form.data.channel);
    if (removed === 'last-verified')
      return profilePage(reply, principal, undefined, 409, fieldError('contacts', LAST_CONTACT));
    return reply.redirect(`${paths.profil}?fait=suppression`, 303);
  });

  const passwordPage = (reply: FastifyReply, status = 200, errors?: FormErrors) =>
    reply.code(status).page(`${VIEWS}/mot-de-passe.njk`, { errors });

  app.get(paths.profilMotDePasse, async (_request, reply) => passwordPage(reply));

  app.post(paths.profilMotDePasse, async (request, reply) => {
    const principal = principalOf(request);
    const form = passwordChangeForm.safeParse(request.body);
    if (!form.success)
      return passwordPage(reply, 400, formErrors(form.error, ['current', 'password']));
    const changed = await s.profile.changePassword(principal, {
      current: form.data.current,
      next: form.data.password,
      clientIp: request.ip,
    });
    if (!changed.ok) {
      switch (changed.reason) {
        case 'throttled': {
          const refused = throttled('current', changed.retryAt);
          return passwordPage(reply, refused.status, refused.errors);
        }
        case 'policy':
          return passwordPage(reply, 400, policyErrors(changed.problems));
        case 'no-password':
          return passwordPage(
            reply,
            400,
            fieldError(
              'current',
              'Votre compte n’a pas encore de mot de passe : choisissez-en un avec « Mot de passe oublié ? ».',
            ),
          );
        case 'invalid':
          return passwordPage(reply, 401, fieldError('current', CURRENT_PASSWORD_WRONG));
      }
    }
    return reply.redirect(`${paths.profil}?fait=mot-de-passe`, 303);
  });

  app.get(paths.profilConnexions, async (request, reply) => {
    const principal = principalOf(request);
    return reply.page(`${VIEWS}/connexions.njk`, {
      sessions: await s.profile.sessions(principal),
      fait: done.parse(request.query ?? {}).fait,
    });
  });

  app.post(paths.profilConnexions, async (request, reply) => {
    const principal = principalOf(request);
    const form = sessionForm.safeParse(request.body);
    // Not this person's, already ended, or this very session: the list says where things stand.
    if (!form.success || !(await s.profile.endSession(principal, form.data.session)))
      return reply.redirect(paths.profilConnexions, 303);
    return reply.redirect(`${paths.profilConnexions}?fait=une`, 303);
  });

  app.post(paths.profilConnexionsAutres, async (request, reply) => {
    await s.profile.endOtherSessions(principalOf(request));
    return reply.redirect(`${paths.profilConnexions}?fait=autres`, 303);
  });

  app.get(paths.profilHistorique, async (request, reply) =>
    reply.page(`${VIEWS}/historique.njk`, {
      events: await s.profile.history(principalOf(request)),
      consultations: await s.agents.consultationsOf(principalOf(request)),
    }),
  );
}
