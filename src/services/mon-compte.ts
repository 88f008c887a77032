import { withTransaction, type Pool } from '#src/db/pool.ts';
import { recordAccess, type DataCategory } from '#src/db/repositories/access-log.ts';
import {
  findDossierById,
  findMembershipsOf,
  listMembers,
  type MemberRow,
} from '#src/db/repositories/dossiers.ts';
import { lastPayments, type PaymentRow } from '#src/db/repositories/payments.ts';
import { findPersonById } from '#src/db/repositories/persons.ts';
import { ageOn, isAllowed, type MemberRole } from '#src/domain/access.ts';
import { maskIban } from '#src/domain/masking.ts';
import { formatNir, parseNir } from '#src/domain/nir.ts';
import type { Principal } from '#src/domain/principal.ts';

export interface DossierView {
  readonly number: string;
  readonly role: MemberRole;
  readonly delegation: boolean;
  readonly summary: {
    readonly address: readonly string[];
    readonly familySituation: string;
    readonly members: readonly MemberRow[];
  } | null;
  readonly payments: readonly PaymentRow[] | null;
  readonly bank: { readonly maskedIban: string; readonly bic: string } | null;
  /** What the access matrix opens to this member, for the page's links. */
  readonly can: {
    readonly household: boolean;
    readonly separation: boolean;
    readonly bankDetails: boolean;
  };
}

export interface MonCompteView {
  readonly person: {
    readonly givenName: string;
    readonly familyName: string;
    readonly nir: string | null;
    readonly provisionalId: string | null;
    readonly birthdate: string;
    readonly email: string | null;
    readonly phone: string | null;
  };
  readonly dossiers: readonly DossierView[];
}

const PAYMENTS_SHOWN = 6;

/**
 * Everything `/mon-compte` shows, loaded for the principal and nobody else; each dossier
 * displayed is written to the access log in the same transaction as the reads.
 */
export async function loadMonCompte(
  pool: Pool,
  principal: Principal,
  route: string,
  today: Date,
): Promise<MonCompteView | null> {
  return withTransaction(pool, async (tx) => {
    const person = await findPersonById(tx, principal.personId);
    if (!person) return null;
    const age = ageOn(person.birthdate, today);
    const memberships = await findMembershipsOf(tx, principal.personId);
    const dossiers: DossierView[] = [];
    for (const m of memberships) {
      const dossier = await findDossierById(tx, m.dossierId);
      if (!dossier) continue;
      const membership = { role: m.role, delegation: m.delegation, age };
      const categories: DataCategory[] = ['identite'];
      let summary: DossierView['summary'] = null;
      if (isAllowed(membership, 'dossier-summary')) {
        summary = {
          address: [
            dossier.addressLine1,
            ...(dossier.addressLine2 ? [dossier.addressLine2] : []),
            `${dossier.postcode} ${dossier.city}`,
          ],
          familySituation: dossier.familySituation,
          members: await listMembers(tx, dossier.id),
        };
        categories.push('adresse', 'situation-familiale', 'membres');
      }
      let payments: DossierView['payments'] = null;
      let bank: DossierView['bank'] = null;
      if (isAllowed(membership, 'payments')) {
        payments = await lastPayments(tx, dossier.id, PAYMENTS_SHOWN);
        categories.push('paiements');
        if (dossier.iban) {
          bank = { maskedIban: maskIban(dossier.iban), bic: dossier.bic ?? '' };
          categories.push('coordonnees-bancaires');
        }
      }
      await recordAccess(tx, {
        sessionHash: principal.sessionHash,
        personId: principal.personId,
        dossierId: dossier.id,
        categories,
        route,
      });
      dossiers.push({
        number: dossier.number,
        role: m.role,
        delegation: m.delegation,
        summary,
        payments,
        bank,
        can: {
          household: isAllowed(membership, 'dossier-summary'),
          separation: isAllowed(membership, 'declare-separation'),
          bankDetails: isAllowed(membership, 'change-bank-details'),
        },
      });
    }
    await recordAccess(tx, {
      sessionHash: principal.sessionHash,
      personId: principal.personId,
      dossierId: null,
      categories: ['identite', 'coordonnees'],
      route,
    });
    const parsed = person.nir ? parseNir(person.nir) : null;
    return {
      person: {
        givenName: person.given_name,
        familyName: person.family_name,
        nir: parsed?.ok ? formatNir(parsed.nir) : person.nir,
        provisionalId: person.provisional_id,
        birthdate: person.birthdate,
        email: person.email,
        phone: person.phone,
      },
      dossiers,
    };
  });
}
