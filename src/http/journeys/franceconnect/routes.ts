import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  FranceConnectError,
  sameToken,
  type CompletedAuthorization,
} from '#src/franceconnect/client.ts';
import type { ReturnTo } from '#src/services/flow-definitions.ts';
import type { FranceConnectLogin } from '#src/services/franceconnect.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { devicesOf } from '../../device-cookie.ts';
import { clearFlowCookie, flowIdOf, setFlowCookie } from '../../flow-cookie.ts';
import { fieldError, formErrors } from '../../forms.ts';
import { publicOrigin } from '../../franceconnect-offer.ts';
import { paths } from '../../paths.ts';
import { loginContextOf, setSessionCookie } from '../../session-cookie.ts';
import { currentPassword } from '../../steps/password.ts';
import { throttled } from '../../steps/throttled.ts';

const VIEWS = 'pages/franceconnect';

const startForm = z.object({
  niveau: z.enum(['franceconnect', 'franceconnect-plus']),
  retour: z.enum(['mon-compte', 'coordonnees-bancaires', 'courriers']).default('mon-compte'),
});

const confirmForm = z.object({ password: currentPassword });

export const LINK_PASSWORD_FAILED = 'Mot de passe incorrect.';

/** The outcome pages: one template, the words of each case. */
const outcomes = {
  unavailable: {
    status: 503,
    title: 'FranceConnect est momentanément indisponible',
    text: 'La connexion avec FranceConnect n’est pas possible pour le moment. Réessayez dans quelques minutes, ou connectez-vous avec votre numéro de sécurité sociale.',
  },
  expired: {
    status: 400,
    title: 'La connexion avec FranceConnect a expiré',
    text: 'Cette connexion n’a pas été commencée sur ce navigateur, ou il y a plus de 15 minutes. Recommencez depuis la page de connexion.',
  },
  failed: {
    status: 400,
    title: 'La connexion avec FranceConnect n’a pas pu être vérifiée',
    text: 'La réponse de FranceConnect n’a pas passé nos contrôles de sécurité. Aucune session n’a été ouverte. Recommencez depuis la page de connexion.',
  },
  cancelled: {
    status: 200,
    title: 'Connexion avec FranceConnect annulée',
    text: 'Vous n’avez pas été connecté(e). Vous pouvez recommencer, ou vous connecter avec votre numéro de sécurité sociale.',
  },
  none: {
    status: 200,
    title: 'Nous ne trouvons pas de compte à votre nom',
    text: 'L’identité transmise par FranceConnect ne correspond à aucune personne connue de la Caf. Si vous avez un dossier, connectez-vous avec votre numéro de sécurité sociale ; sinon, créez votre compte.',
  },
  ambiguous: {
    status: 200,
    title: 'Nous ne pouvons pas vous identifier avec certitude',
    text: 'L’identité transmise par FranceConnect correspond à plusieurs personnes connues de la Caf. Pour votre sécurité, nous ne choisissons pas à votre place : connectez-vous avec votre numéro de sécurité sociale, ou contactez votre Caf.',
  },
  noAccount: {
    status: 200,
    title: 'Vous n’avez pas encore de compte personnel',
    text: 'Pour utiliser FranceConnect, faites d’abord votre première connexion avec votre numéro de sécurité sociale et l’ancien mot de passe de votre dossier (ou un code d’activation reçu). Vous pourrez ensuite vous connecter avec FranceConnect.',
  },
  logoutFailed: {
    status: 400,
    title: 'La déconnexion de FranceConnect n’a pas pu être vérifiée',
    text: 'Votre session Mon Compte est bien fermée. Pour votre sécurité, fermez votre navigateur si cet appareil est partagé.',
  },
} as const;

type Outcome = keyof typeof outcomes;
const outcomeNames = Object.keys(outcomes).filter((k): k is Outcome => k in outcomes);

function returnPath(to: ReturnTo): string {
  if (to === 'courriers') return paths.courriers;
  return to === 'coordonnees-bancaires' ? paths.coordonneesBancaires : paths.monCompte;
}

/**
 * FranceConnect and FranceConnect+ (issue 5): login, linking of a first login to a person,
 * return from the provider's logout, and the public keys FranceConnect+ encrypts to.
 */
export async function franceConnectRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;
  const callbackUrl = (request: FastifyRequest) =>
    publicOrigin(s, request) + paths.franceConnectRetour;

  const outcome = (reply: FastifyReply, name: Outcome) => {
    const o = outcomes[name];
    return reply.code(o.status).page(`${VIEWS}/resultat.njk`, { outcome: { name, ...o } });
  };

  /**
   * From the provider's callbacks, an outcome is shown at a clean address: no `?code=` left in
   * the address bar, and a reload shows the same page instead of a replayed, refused code.
   */
  const toOutcome = (reply: FastifyReply, name: Outcome) =>
    reply.redirect(`${paths.franceConnectResultat}?motif=${name}`, 303);

  app.get(paths.franceConnectResultat, async (request, reply) => {
    const query = z.object({ motif: z.enum(outcomeNames) }).safeParse(request.query);
    return outcome(reply, query.success ? query.data.motif : 'expired');
  });

  /** Opens the session: any previous one of this browser is revoked in the same transaction. */
  const finishLogin = async (
    request: FastifyRequest,
    reply: FastifyReply,
    login: FranceConnectLogin,
    returnTo: ReturnTo,
    linkSub: string | null = null,
  ) => {
    const session = await s.franceConnect.finishLogin({
      login,
      linkSub,
      previous: request.principal,
      context: loginContextOf(request),
    });
    setSessionCookie(request, session);
    return reply.redirect(returnPath(returnTo), 303);
  };

  app.post(paths.franceConnectConnexion, async (request, reply) => {
    const form = startForm.safeParse(request.body);
    if (!form.success) return outcome(reply, 'expired');
    const client = s.franceConnect.client(form.data.niveau);
    if (!client) {
      reply.callNotFound();
      return reply;
    }
    let started: Awaited<ReturnType<typeof client.authorizationUrl>>;
    try {
      started = await client.authorizationUrl(callbackUrl(request));
    } catch (error) {
      request.log.warn({ err: error }, 'FranceConnect indisponible');
      return outcome(reply, 'unavailable');
    }
    const flow = await s.franceConnect.startLogin({
      level: form.data.niveau,
      pending: started.pending,
      returnTo: form.data.retour,
      principal: request.principal,
    });
    setFlowCookie(request, flow);
    return reply.redirect(started.url.href, 303);
  });

  app.get(paths.franceConnectRetour, async (request, reply) => {
    // Single use: a replayed or second callback finds nothing, even after a failed one.
    const taken = await s.franceConnect.takeLogin(flowIdOf(request));
    clearFlowCookie(request);
    if (!taken) return toOutcome(reply, 'expired');
    const pending = taken.state;
    const client = s.franceConnect.client(pending.level);
    if (!client) return toOutcome(reply, 'expired');
    let login: CompletedAuthorization;
    try {
      login = await client.complete(
        new URL(request.url, publicOrigin(s, request)),
        callbackUrl(request),
        pending,
      );
    } catch (error) {
      if (error instanceof FranceConnectError) {
        request.log.info({ reason: error.reason, cause: error.cause }, 'FranceConnect refusé');
        return toOutcome(reply, error.reason === 'refused' ? 'cancelled' : 'failed');
      }
      request.log.warn({ err: error }, 'FranceConnect indisponible');
      return toOutcome(reply, 'unavailable');
    }
    const who = await s.franceConnect.identify(pending.level, login);
    const base = { level: pending.level, acr: login.acr, idToken: login.idToken };
    switch (who.kind) {
      case 'linked':
        return finishLogin(request, reply, { ...base, personId: who.personId }, pending.returnTo);
      case 'to-confirm': {
        const matched = { ...base, personId: who.personId };
        // Already logged in as this very person: their session vouches for the account.
        if (request.principal?.personId === who.personId)
          return finishLogin(request, reply, matched, pending.returnTo, login.sub);
        const flow = await s.franceConnect.awaitLinkConfirmation({
          login: matched,
          sub: login.sub,
          identity: who.identity,
          returnTo: pending.returnTo,
        });
        setFlowCookie(request, flow);
        return reply.redirect(paths.franceConnectLiaison, 303);
      }
      case 'no-account':
        return toOutcome(reply, 'noAccount');
      case 'ambiguous':
        return toOutcome(reply, 'ambiguous');
      case 'none':
        return toOutcome(reply, 'none');
    }
  });

  const linkPage = (
    reply: FastifyReply,
    link: { givenName: string; familyName: string; level: string },
    errors?: unknown,
  ) =>
    reply.page(`${VIEWS}/liaison.njk`, {
      identity: { givenName: link.givenName, familyName: link.familyName },
      plus: link.level === 'franceconnect-plus',
      errors,
    });

  app.get(paths.franceConnectLiaison, async (request, reply) => {
    const link = await s.franceConnect.readLinkConfirmation(flowIdOf(request));
    if (!link) return reply.redirect(paths.connexion, 303);
    return linkPage(reply, link.state);
  });

  app.post(paths.franceConnectLiaison, async (request, reply) => {
    const link = await s.franceConnect.readLinkConfirmation(flowIdOf(request));
    if (!link) return reply.redirect(paths.connexion, 303);
    const form = confirmForm.safeParse(request.body);
    if (!form.success)
      return linkPage(reply.code(400), link.state, formErrors(form.error, ['password']));
    const confirmed = await s.franceConnect.confirmLink({
      flowId: link.id,
      password: form.data.password,
      clientIp: request.ip,
      previous: request.principal,
      context: loginContextOf(request),
      devices: devicesOf(request, s),
    });
    // Consumed by another submit (a replayed cookie, a double click): nothing more to do here.
    if (!confirmed.ok && confirmed.reason === 'gone') return reply.redirect(paths.connexion, 303);
    if (!confirmed.ok) {
      const refused =
        confirmed.reason === 'throttled'
          ? throttled('password', confirmed.retryAt)
          : { status: 401, errors: fieldError('password', LINK_PASSWORD_FAILED) };
      return linkPage(reply.code(refused.status), link.state, refused.errors);
    }
    setSessionCookie(request, confirmed.session);
    return reply.redirect(returnPath(confirmed.returnTo), 303);
  });

  app.get(paths.franceConnectDeconnexion, async (request, reply) => {
    const pending = (await s.franceConnect.takeLogout(flowIdOf(request)))?.state;
    clearFlowCookie(request);
    const query = z.object({ state: z.string().optional() }).safeParse(request.query);
    const state = query.success ? (query.data.state ?? '') : '';
    if (!pending || !sameToken(state, pending.state)) return toOutcome(reply, 'logoutFailed');
    request.session.delete();
    return reply.redirect(paths.deconnexion, 303);
  });

  app.get(paths.franceConnectJwks, async (_request, reply) => {
    const jwks = s.franceConnect.publicJwks();
    if (!jwks) {
      reply.callNotFound();
      return reply;
    }
    return reply.type('application/json; charset=utf-8').send(jwks);
  });
}
