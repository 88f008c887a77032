import { withTransaction } from '#src/db/pool.ts';
import { recordAccess } from '#src/db/repositories/access-log.ts';
import {
  insertBankDetailsChange,
  lockDossierBankDetails,
  updateDossierBankDetails,
} from '#src/db/repositories/bank-details.ts';
import { findDossierById, findMembershipsOf } from '#src/db/repositories/dossiers.ts';
import { findPersonById } from '#src/db/repositories/persons.ts';
import type { Queryable } from '#src/db/pool.ts';
import { ageOn, isAllowed } from '#src/domain/access.ts';
import { maskIban } from '#src/domain/masking.ts';
import type { Principal } from '#src/domain/principal.ts';
import type { Services } from './index.ts';

export interface BankDossier {
  readonly dossierId: string;
  readonly number: string;
  readonly maskedIban: string | null;
  readonly bic: string | null;
}

/**
 * The dossier whose bank details this person may change (access matrix: the allocataire, or a
 * conjoint with delegation), or null. Decided from the database on every request.
 */
export async function findChangeableDossier(
  db: Queryable,
  principal: Principal,
  today: Date,
): Promise<BankDossier | null> {
  const person = await findPersonById(db, principal.personId);
  if (!person) return null;
  const age = ageOn(person.birthdate, today);
  for (const m of await findMembershipsOf(db, principal.personId)) {
    if (!isAllowed({ role: m.role, delegation: m.delegation, age }, 'change-bank-details'))
      continue;
    const dossier = await findDossierById(db, m.dossierId);
    if (!dossier) continue;
    return {
      dossierId: dossier.id,
      number: dossier.number,
      maskedIban: dossier.iban ? maskIban(dossier.iban) : null,
      bic: dossier.bic,
    };
  }
  return null;
}

/** Loads the page's dossier and writes the display of its (masked) bank details to the access log. */
export async function loadBankDetailsPage(
  s: Services,
  principal: Principal,
  route: string,
): Promise<BankDossier | null> {
  return withTransaction(s.pool, async (tx) => {
    const dossier = await findChangeableDossier(tx, principal, s.now());
    if (dossier) {
      await recordAccess(tx, {
        sessionHash: principal.sessionHash,
        personId: principal.personId,
        dossierId: dossier.dossierId,
        categories: ['coordonnees-bancaires'],
        route,
      });
    }
    return dossier;
  });
}

export type BankDetailsResult =
  | { readonly ok: true; readonly changed: boolean; readonly maskedIban: string }
  | { readonly ok: false; readonly reason: 'forbidden' };

/**
 * Changes the dossier's IBAN and BIC in one transaction, recorded with what they replaced;
 * idempotent by `requestId`. The person is notified on every verified contact.
 */
export async function changeBankDetails(
  s: Services,
  principal: Principal,
  input: { requestId: string; iban: string; bic: string; authMethod: string; route: string },
): Promise<BankDetailsResult> {
  const result = await withTransaction(s.pool, async (tx): Promise<BankDetailsResult> => {
    const dossier = await findChangeableDossier(tx, principal, s.now());
    if (!dossier) return { ok: false, reason: 'forbidden' };
    const current = await lockDossierBankDetails(tx, dossier.dossierId);
    const changed = await insertBankDetailsChange(tx, {
      requestId: input.requestId,
      dossierId: dossier.dossierId,
      personId: principal.personId,
      sessionHash: principal.sessionHash,
      authMethod: input.authMethod,
      previousIban: current?.iban ?? null,
      previousBic: current?.bic ?? null,
      iban: input.iban,
      bic: input.bic,
    });
    if (changed) {
      await updateDossierBankDetails(tx, dossier.dossierId, input.iban, input.bic);
      await sendBankDetailsNotice(s, tx, principal.personId, maskIban(input.iban));
    }
    await recordAccess(tx, {
      sessionHash: principal.sessionHash,
      personId: principal.personId,
      dossierId: dossier.dossierId,
      categories: ['coordonnees-bancaires'],
      route: input.route,
    });
    return { ok: true, changed, maskedIban: maskIban(input.iban) };
  });
  return result;
}

async function sendBankDetailsNotice(
  s: Services,
  tx: Queryable,
  personId: string,
  maskedIban: string,
): Promise<void> {
  const person = await findPersonById(tx, personId);
  if (!person) return;
  const subject = 'Vos coordonnées bancaires ont été modifiées';
  const text = `Bonjour ${person.given_name},\n\nLes coordonnées bancaires de votre dossier viennent d’être modifiées sur Mon Compte. Les prochains paiements de la Caf seront versés sur le compte ${maskedIban}.\n\nSi vous n’êtes pas à l’origine de ce changement, contactez votre Caf sans attendre.`;
  if (person.email && person.email_verified_at) {
    await s.outbox.enqueueNotice(tx, {
      channel: 'email',
      to: person.email,
      subject,
      text: `${text}\n\nCe message est envoyé automatiquement par Mon Compte, l’espace personnel de la Caf. La Caf ne vous demandera jamais votre mot de passe ni un code reçu.`,
    });
  }
  if (person.phone && person.phone_verified_at) {
    await s.outbox.enqueueNotice(tx, { channel: 'sms', to: person.phone, subject, text });
  }
}
