import { withTransaction } from '#src/db/pool.ts';
import {
  insertBankDetailsChange,
  lockDossierBankDetails,
  updateDossierBankDetails,
} from '#src/db/repositories/bank-details.ts';
import { findPersonById } from '#src/db/repositories/persons.ts';
import type { Queryable } from '#src/db/pool.ts';
import { maskIban } from '#src/domain/masking.ts';
import type { Principal } from '#src/domain/principal.ts';
import {
  dossierFor,
  logDossierAccess,
  type DossierAccess,
  type DossierRefusal,
} from './dossier-access.ts';
import type { Deps } from './deps.ts';
import { sendNotice } from './notices.ts';

export interface BankDossier {
  readonly dossierId: string;
  readonly number: string;
  readonly maskedIban: string | null;
  readonly bic: string | null;
}

function bankDossier({ dossier }: DossierAccess): BankDossier {
  return {
    dossierId: dossier.id,
    number: dossier.number,
    maskedIban: dossier.iban ? maskIban(dossier.iban) : null,
    bic: dossier.bic,
  };
}

const SHOWS = ['coordonnees-bancaires'] as const;

/**
 * The dossier whose bank details this person may change (access matrix: the allocataire, or a
 * conjoint with delegation), its display of the (masked) bank details written to the access log.
 */
export async function loadBankDetailsPage(
  s: Deps,
  principal: Principal,
  route: string,
): Promise<{ ok: true; dossier: BankDossier } | DossierRefusal> {
  const access = await dossierFor(s, principal, 'change-bank-details', {
    shown: { route, categories: SHOWS },
  });
  return access.ok ? { ok: true, dossier: bankDossier(access) } : access;
}

export type BankDetailsResult =
  { readonly ok: true; readonly changed: boolean; readonly maskedIban: string } | DossierRefusal;

/**
 * Changes the dossier's IBAN and BIC in one transaction, recorded with what they replaced;
 * idempotent by `requestId`. The person is notified on every verified contact.
 */
export async function changeBankDetails(
  s: Deps,
  principal: Principal,
  input: { requestId: string; iban: string; bic: string; authMethod: string; route: string },
): Promise<BankDetailsResult> {
  const result = await withTransaction(s.pool, async (tx): Promise<BankDetailsResult> => {
    const access = await dossierFor(s, principal, 'change-bank-details', { tx });
    if (!access.ok) return access;
    const dossier = bankDossier(access);
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
    await logDossierAccess(tx, principal, dossier.dossierId, {
      route: input.route,
      categories: SHOWS,
    });
    return { ok: true, changed, maskedIban: maskIban(input.iban) };
  });
  return result;
}

async function sendBankDetailsNotice(
  s: Deps,
  tx: Queryable,
  personId: string,
  maskedIban: string,
): Promise<void> {
  const person = await findPersonById(tx, personId);
  if (!person) return;
  const subject = 'Vos coordonnées bancaires ont été modifiées';
  const text = `Bonjour ${person.given_name},\n\nLes coordonnées bancaires de votre dossier viennent d’être modifiées sur Mon Compte. Les prochains paiements de la Caf seront versés sur le compte ${maskedIban}.\n\nSi vous n’êtes pas à l’origine de ce changement, contactez votre Caf sans attendre.`;
  // Verified contacts only: a bank-details change is what an account thief would hide.
  if (person.email && person.email_verified_at)
    await sendNotice(s, tx, { channel: 'email', to: person.email, subject, text });
  if (person.phone && person.phone_verified_at)
    await sendNotice(s, tx, { channel: 'sms', to: person.phone, subject, text });
}
