import { withTransaction } from '#src/db/pool.ts';
import {
  insertAddressChange,
  type DeclaredAddress,
  type HousingStatus,
} from '#src/db/repositories/address-changes.ts';
import { listMembers } from '#src/db/repositories/dossiers.ts';
import { recordAudit } from '#src/db/repositories/household.ts';
import { findPersonById } from '#src/db/repositories/persons.ts';
import { matchCommune, type CommuneMatch } from '#src/domain/communes.ts';
import type { Principal } from '#src/domain/principal.ts';
import { communeIndex } from './communes.ts';
import { dossierFor, type DossierRefusal } from './dossier-access.ts';
import type { Deps } from './deps.ts';
import { notify } from './notices.ts';

/** The commune of the official list for this postal code and typed name (no network). */
export function checkCommune(postcode: string, typed: string): CommuneMatch {
  return matchCommune(communeIndex(), postcode, typed);
}

export interface AddressChangePage {
  readonly dossierNumber: string;
  /** The address on file, unchanged until the Caf processes the declaration. */
  readonly currentAddress: readonly string[];
}

/** The form's page: the dossier and its current address (logged as shown). */
export async function loadAddressChange(
  s: Pick<Deps, 'pool' | 'now'>,
  principal: Principal,
  route: string,
): Promise<({ ok: true } & AddressChangePage) | DossierRefusal> {
  const shown = { route, categories: ['adresse'] } as const;
  const access = await dossierFor(s, principal, 'declare-address-change', { shown });
  if (!access.ok) return access;
  const d = access.dossier;
  return {
    ok: true,
    dossierNumber: d.number,
    currentAddress: [
      d.addressLine1,
      ...(d.addressLine2 ? [d.addressLine2] : []),
      `${d.postcode} ${d.city}`,
    ],
  };
}

export interface AddressChange {
  readonly address: DeclaredAddress;
  /** YYYY-MM-DD. */
  readonly moveDate: string;
  readonly housing: HousingStatus;
  readonly idempotencyKey: string;
}

const HOUSING_LABELS: Readonly<Record<HousingStatus, string>> = {
  locataire: 'locataire',
  proprietaire: 'propriétaire',
  heberge: 'hébergé(e) à titre gratuit',
  autre: 'autre situation',
};

/**
 * Records the declared move as a démarche « en cours » (the dossier's address changes only when
 * the Caf processes it), once per form key, and tells the other members with a verified contact.
 */
export async function declareAddressChange(
  s: Deps,
  principal: Principal,
  input: AddressChange,
): Promise<{ ok: true; created: boolean } | DossierRefusal> {
  const access = await dossierFor(s, principal, 'declare-address-change');
  if (!access.ok) return access;
  const matched = checkCommune(input.address.postcode, input.address.commune);
  if (!matched.ok || matched.commune !== input.address.commune) {
    throw new Error('address change with a commune outside the official list');
  }
  const { dossier } = access;
  const created = await withTransaction(s.pool, async (tx) => {
    const inserted = await insertAddressChange(tx, {
      dossierId: dossier.id,
      authorPersonId: principal.personId,
      address: input.address,
      moveDate: input.moveDate,
      housing: input.housing,
      idempotencyKey: input.idempotencyKey,
    });
    if (!inserted) return false;
    await recordAudit(tx, {
      actorPersonId: principal.personId,
      action: 'changement-adresse-declare',
      dossierId: dossier.id,
      targetPersonId: null,
      details: { date: input.moveDate },
    });
    const a = input.address;
    const where = [a.line1, a.line2, `${a.postcode} ${a.commune}`].filter(Boolean).join(', ');
    const when = input.moveDate.split('-').reverse().join('/');
    for (const member of await listMembers(tx, dossier.id)) {
      if (member.personId === principal.personId) continue;
      const person = await findPersonById(tx, member.personId);
      if (!person || (!person.email_verified_at && !person.phone_verified_at)) continue;
      // Only to the contacts the person has proven: an unverified e-mail may be someone else's.
      await notify(
        s,
        { ...person, email: person.email_verified_at ? person.email : null },
        'Changement d’adresse déclaré',
        `Bonjour ${person.given_name},\n\n${principal.displayName} a déclaré un changement d’adresse pour le dossier n° ${dossier.number} : ${where}, à partir du ${when} (${HOUSING_LABELS[input.housing]}). La Caf étudiera cette déclaration ; l’adresse du dossier sera mise à jour une fois la démarche traitée.`,
        tx,
      );
    }
    return true;
  });
  return { ok: true, created };
}
