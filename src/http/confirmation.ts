import type { FastifyRequest } from 'fastify';

/** The DSFR success notice /mon-compte shows once, on arrival after a journey that ends there. */
const confirmations = {
  'premiere-connexion': {
    title: 'Votre compte est activé',
    text: 'Votre mot de passe et vos coordonnées sont enregistrés. Vous vous connecterez désormais avec votre numéro de sécurité sociale et ce mot de passe.',
  },
  'mot-de-passe': {
    title: 'Votre mot de passe a été modifié',
    text: 'Utilisez-le dès votre prochaine connexion. Un message vous a été envoyé pour vous en informer.',
  },
  'changement-adresse': {
    title: 'Votre changement d’adresse est déclaré',
    text: 'La Caf étudiera votre déclaration ; l’adresse de votre dossier sera mise à jour une fois la démarche traitée. Vous la retrouvez dans vos démarches en cours.',
  },
  'compte-cree': {
    title: 'Votre compte est créé',
    text: 'Vous êtes connecté(e) à Mon Compte. Vous pouvez maintenant faire une demande de prestation.',
  },
  separation: {
    title: 'Votre déclaration de séparation est enregistrée',
    text: 'Vous et votre ex-conjoint(e) en êtes informés. La délégation éventuelle du conjoint a pris fin. La Caf étudiera votre situation et vous écrira.',
  },
} as const;

export type Confirmation = keyof typeof confirmations;

function isConfirmation(value: unknown): value is Confirmation {
  return typeof value === 'string' && value in confirmations;
}

/** After the session cookie is set: the next page shows the notice (kept in the same cookie). */
export function confirmOnArrival(request: FastifyRequest, name: Confirmation): void {
  request.session.set('confirmation', name);
}

/** The notice to show, once: read and removed from the session cookie. */
export function takeConfirmation(request: FastifyRequest) {
  const name = request.session.get('confirmation');
  if (!isConfirmation(name)) return null;
  request.session.set('confirmation', undefined);
  return { name, ...confirmations[name] };
}
