import type { Queryable } from '#src/db/pool.ts';
import type { PersonRow } from '#src/db/repositories/persons.ts';
import type { OutboundMessage } from '#src/notifications/notifier.ts';
import type { Deps } from './deps.ts';

/** The last lines of every e-mail we send (not of SMS: too long for a text message). */
const EMAIL_SIGNATURE =
  '\n\nCe message est envoyé automatiquement par Mon Compte, l’espace personnel de la Caf. La Caf ne vous demandera jamais votre mot de passe ni un code reçu.';

/**
 * One notice through the outbox on `db` (the transaction of its effect), signed when it is an
 * e-mail; false when it cannot be sent here (see `Outbox.enqueueNotice`).
 */
export async function sendNotice(
  s: Deps,
  db: Queryable,
  message: OutboundMessage,
): Promise<boolean> {
  const text = message.channel === 'email' ? message.text + EMAIL_SIGNATURE : message.text;
  return s.outbox.enqueueNotice(db, { ...message, text });
}

/**
 * Notices about an account or a dossier go to the person's e-mail, and verified mobile, through
 * the outbox on `db`: the transaction of the effect when there is one.
 */
export async function notify(
  s: Deps,
  person: PersonRow,
  subject: string,
  text: string,
  db: Queryable = s.pool,
): Promise<void> {
  if (person.email) await sendNotice(s, db, { channel: 'email', to: person.email, subject, text });
  if (person.phone && person.phone_verified_at)
    await sendNotice(s, db, { channel: 'sms', to: person.phone, subject, text });
}

export async function sendLockNotice(
  s: Deps,
  person: PersonRow,
  until: Date,
  db: Queryable = s.pool,
): Promise<void> {
  const time = new Intl.DateTimeFormat('fr-FR', {
    timeStyle: 'short',
    timeZone: 'Europe/Paris',
  }).format(until);
  await notify(
    s,
    person,
    'Connexion à Mon Compte temporairement bloquée',
    `Bonjour ${person.given_name},\n\nPlusieurs tentatives de connexion à votre compte ont échoué. Par sécurité, la connexion est bloquée jusqu’à ${time}.\n\nSi ce n’était pas vous, personne n’a pu accéder à votre compte, et vous pouvez toujours vous connecter depuis un appareil où vous vous êtes déjà connecté(e). Pour le débloquer tout de suite, choisissez un nouveau mot de passe avec « Mot de passe oublié ? » sur la page de connexion.`,
    db,
  );
}

export async function sendPasswordChangedNotice(
  s: Deps,
  person: PersonRow,
  db: Queryable = s.pool,
): Promise<void> {
  await notify(
    s,
    person,
    'Votre mot de passe Mon Compte a été modifié',
    `Bonjour ${person.given_name},\n\nLe mot de passe de votre compte vient d’être modifié et toutes vos autres sessions ont été fermées.\n\nSi vous n’êtes pas à l’origine de ce changement, contactez votre Caf sans attendre.`,
    db,
  );
}

export function codeMessage(
  code: string,
  purpose:
    'contact-validation' | 'contact-change' | 'password-recovery' | 'strong-auth' | 'new-device',
  /** What the code is for, when the purpose serves several intents (a strong authentication). */
  intent?: string,
) {
  const byPurpose =
    purpose === 'contact-validation'
      ? 'valider vos coordonnées'
      : purpose === 'contact-change'
        ? 'valider votre nouvelle adresse ou votre nouveau mobile'
        : purpose === 'strong-auth'
          ? 'confirmer la modification de vos coordonnées bancaires'
          : purpose === 'new-device'
            ? 'vous connecter depuis un nouvel appareil'
            : 'choisir un nouveau mot de passe';
  const what = intent ?? byPurpose;
  return {
    subject: 'Votre code Mon Compte',
    text: `Votre code pour ${what} est : ${code}\n\nIl est valable 15 minutes et ne peut servir qu’une fois. Ne le communiquez à personne : la Caf ne vous le demandera jamais.`,
  };
}
