import type { PoolClient } from 'pg';

/** One demo letter: to the household (`to` null) or to a persona; `readBy`: who opened it. */
interface DemoLetter {
  readonly dossier: string;
  readonly to: string | null;
  readonly sentOn: string;
  readonly subject: string;
  readonly body: string;
  readonly registered?: boolean;
  readonly readBy?: readonly string[];
}

const SIGN_IN_HINT =
  'Vous retrouvez ce courrier et toutes vos démarches dans votre espace Mon Compte, sur caf.fr.';

export const demoLetters: readonly DemoLetter[] = [
  {
    dossier: '1234567',
    to: null,
    sentOn: '2026-10-05',
    subject: 'Vos droits aux allocations familiales',
    body: `Madame, Monsieur,\n\nNous avons réexaminé vos droits aux allocations familiales à la suite de la mise à jour de vos ressources. Le montant mensuel de 151,05 euros est maintenu à compter d’octobre 2026.\n\n${SIGN_IN_HINT}`,
    readBy: ['allocataire-migre'],
  },
  {
    dossier: '1234567',
    to: null,
    sentOn: '2026-09-12',
    subject: 'Votre aide personnalisée au logement',
    body: `Madame, Monsieur,\n\nVotre droit à l’aide personnalisée au logement (APL) est ouvert à compter d’août 2026. Elle est versée chaque mois à votre nom.\n\n${SIGN_IN_HINT}`,
  },
  {
    dossier: '1234567',
    to: 'allocataire-migre',
    sentOn: '2026-11-10',
    subject: 'Notification d’un trop-perçu d’aide au logement',
    registered: true,
    body: `Madame,\n\nÀ la suite de la révision de vos ressources, un trop-perçu d’aide personnalisée au logement de 238,41 euros a été constaté pour le mois d’août 2026. Il sera retenu sur vos prochains paiements, par mensualités de 59,60 euros.\n\nVous pouvez contester cette décision dans un délai de deux mois à compter de la réception de ce courrier, auprès de la commission de recours amiable de votre Caf.\n\n${SIGN_IN_HINT}`,
  },
  {
    dossier: '1234567',
    to: 'conjoint-sans-delegation',
    sentOn: '2026-10-20',
    subject: 'Justificatif de ressources demandé',
    body: `Monsieur,\n\nPour étudier les droits du foyer, nous avons besoin de votre dernier avis d’imposition. Vous pouvez l’envoyer depuis la rubrique « Mes documents » de Mon Compte.\n\n${SIGN_IN_HINT}`,
  },
  {
    dossier: '1234567',
    to: 'enfant-16',
    sentOn: '2026-09-01',
    subject: 'Votre compte personnel Mon Compte',
    body: `Mademoiselle,\n\nÀ 15 ans et plus, vous pouvez avoir votre propre compte Mon Compte : vous y trouvez les courriers qui vous sont adressés et vos informations personnelles.\n\n${SIGN_IN_HINT}`,
    readBy: ['enfant-16'],
  },
  {
    dossier: '2345678',
    to: null,
    sentOn: '2026-10-08',
    subject: 'Vos droits aux allocations familiales',
    body: `Madame, Monsieur,\n\nLe montant de vos allocations familiales est maintenu pour l’année 2026-2027.\n\n${SIGN_IN_HINT}`,
  },
  {
    dossier: '2345678',
    to: 'conjoint-non-migre',
    sentOn: '2026-09-25',
    subject: 'Créez votre compte personnel',
    body: `Monsieur,\n\nChaque membre du foyer de 15 ans ou plus peut désormais avoir son propre compte Mon Compte, avec son numéro de sécurité sociale.\n\n${SIGN_IN_HINT}`,
  },
  {
    dossier: '3456789',
    to: null,
    sentOn: '2026-10-15',
    subject: 'Votre prestation d’accueil du jeune enfant',
    body: `Madame, Monsieur,\n\nVotre droit à l’allocation de base de la prestation d’accueil du jeune enfant (PAJE) est confirmé jusqu’aux 3 ans de votre enfant.\n\n${SIGN_IN_HINT}`,
    readBy: ['allocataire-leroy'],
  },
  {
    dossier: '3456789',
    to: null,
    sentOn: '2026-11-02',
    subject: 'Changement de vos coordonnées bancaires',
    body: `Madame, Monsieur,\n\nNous vous confirmons l’enregistrement de vos coordonnées bancaires. Vos prochains paiements seront versés sur ce compte.\n\n${SIGN_IN_HINT}`,
  },
  {
    dossier: '3456789',
    to: 'conjoint-avec-delegation',
    sentOn: '2026-10-28',
    subject: 'Délégation de l’allocataire',
    body: `Monsieur,\n\nL’allocataire du dossier vous a donné délégation : vous pouvez consulter les paiements et les courriers du foyer et faire des démarches en son nom.\n\n${SIGN_IN_HINT}`,
  },
  {
    dossier: '4567890',
    to: null,
    sentOn: '2026-10-03',
    subject: 'Déclaration trimestrielle de ressources',
    body: `Monsieur,\n\nPour continuer à percevoir le revenu de solidarité active (RSA), déclarez vos ressources des mois d’août, septembre et octobre 2026 avant le 15 novembre 2026.\n\n${SIGN_IN_HINT}`,
  },
  {
    dossier: '4567890',
    to: null,
    sentOn: '2026-07-18',
    subject: 'Vos droits au revenu de solidarité active',
    body: `Monsieur,\n\nVotre droit au revenu de solidarité active (RSA) est ouvert. Son montant est recalculé chaque trimestre selon vos ressources.\n\n${SIGN_IN_HINT}`,
    readBy: ['identifiant-provisoire'],
  },
  {
    dossier: '5678901',
    to: null,
    sentOn: '2026-10-11',
    subject: 'Vos droits aux allocations familiales',
    body: `Madame,\n\nLe montant de vos allocations familiales est maintenu pour l’année 2026-2027.\n\n${SIGN_IN_HINT}`,
  },
];

/** Each household's quotient familial in euros (the attestation de quotient familial). */
export const demoQuotientsFamiliaux: Readonly<Record<string, number>> = {
  '1234567': 856,
  '2345678': 642,
  '3456789': 1105,
  '4567890': 312,
  '5678901': 780,
};

function idOf(map: ReadonlyMap<string, string>, key: string): string {
  const id = map.get(key);
  if (!id) throw new Error(`demo letters: unknown ${key}`);
  return id;
}

/**
 * Letters for every persona's dossier (an LRE for Camille MARTIN) and each quotient familial: a
 * DemoContentSeeder (typed by shape: demo-content.ts imports this file, not the other way).
 */
export async function demoLettersSeeder(
  tx: PoolClient,
  ids: {
    readonly persons: ReadonlyMap<string, string>;
    readonly dossiers: ReadonlyMap<string, string>;
  },
): Promise<void> {
  for (const l of demoLetters) {
    const r = await tx.query<{ id: string }>(
      `INSERT INTO letters (dossier_id, addressee_person_id, sent_on, subject, body, registered)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [
        idOf(ids.dossiers, l.dossier),
        l.to ? idOf(ids.persons, l.to) : null,
        l.sentOn,
        l.subject,
        l.body,
        l.registered ?? false,
      ],
    );
    const letterId = r.rows[0]?.id;
    for (const reader of l.readBy ?? []) {
      await tx.query(
        `INSERT INTO letter_reads (letter_id, person_id, read_at)
         VALUES ($1, $2, ($3::date + time '18:30') AT TIME ZONE 'Europe/Paris')`,
        [letterId, idOf(ids.persons, reader), l.sentOn],
      );
    }
  }
  for (const [number, qf] of Object.entries(demoQuotientsFamiliaux)) {
    await tx.query('UPDATE dossiers SET quotient_familial = $2 WHERE id = $1', [
      idOf(ids.dossiers, number),
      qf,
    ]);
  }
}
