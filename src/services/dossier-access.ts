import { withTransaction, type Queryable } from '#src/db/pool.ts';
import { recordAccess, type DataCategory } from '#src/db/repositories/access-log.ts';
import {
  findDossiersOfPerson,
  type DossierMembershipRow,
  type DossierRow,
} from '#src/db/repositories/dossiers.ts';
import {
  ageOn,
  isAllowed,
  type Action,
  type Membership,
  type MemberRole,
} from '#src/domain/access.ts';
import type { Principal } from '#src/domain/principal.ts';
import type { Deps } from './deps.ts';

/** The principal's place in one dossier, recomputed from the database on every request. */
export interface DossierAccess {
  readonly ok: true;
  readonly dossier: DossierRow;
  /** Role, delegation and age (on the services' clock): what the access matrix decides on. */
  readonly membership: Membership & { readonly role: MemberRole };
}

export interface DossierRefusal {
  readonly ok: false;
  /** `no-dossier`: the person belongs to no dossier; `forbidden`: none allows the action. */
  readonly reason: 'forbidden' | 'no-dossier';
}

/** What a page shows of the dossier, written to the access log with the reads. */
export interface Shown {
  readonly route: string;
  readonly categories: readonly DataCategory[];
}

/**
 * Every dossier of the person, in the order of the one rule (ADR 0010): the allocataire
 * membership first, then the others. Empty when the person row is gone.
 */
export async function dossiersOf(
  db: Queryable,
  principal: Principal,
  today: Date,
): Promise<DossierAccess[]> {
  return membershipsAsOf(await findDossiersOfPerson(db, principal.personId), today);
}

/** Membership rows as the matrix sees them: role, delegation and the age of the day. */
export function membershipsAsOf(
  rows: readonly DossierMembershipRow[],
  today: Date,
): DossierAccess[] {
  return rows.map((m) => ({
    ok: true,
    dossier: m.dossier,
    membership: { role: m.role, delegation: m.delegation, age: ageOn(m.birthdate, today) },
  }));
}

/** The first dossier, in the rule's order, whose matrix column allows `action`. */
export function chooseDossier(
  dossiers: readonly DossierAccess[],
  action: Action,
): DossierAccess | DossierRefusal {
  if (dossiers.length === 0) return { ok: false, reason: 'no-dossier' };
  return (
    dossiers.find((d) => isAllowed(d.membership, action)) ?? { ok: false, reason: 'forbidden' }
  );
}

/** Writes one access-log row: this session showed these categories of this dossier. */
export async function logDossierAccess(
  db: Queryable,
  principal: Principal,
  dossierId: string | null,
  shown: Shown,
): Promise<void> {
  await recordAccess(db, {
    sessionHash: principal.sessionHash,
    personId: principal.personId,
    dossierId,
    categories: shown.categories,
    route: shown.route,
  });
}

/**
 * The dossier in which the principal may do `action`, or why not; when `shown` is given, the
 * access-log row for it is written in the same transaction as the reads. Pass `tx` to read and
 * log inside a caller's transaction (the page's further reads, a change and its lock).
 */
export async function dossierFor(
  s: Pick<Deps, 'pool' | 'now'>,
  principal: Principal,
  action: Action,
  options: { shown?: Shown; tx?: Queryable } = {},
): Promise<DossierAccess | DossierRefusal> {
  const { shown, tx } = options;
  const read = async (db: Queryable) => {
    const access = chooseDossier(await dossiersOf(db, principal, s.now()), action);
    if (access.ok && shown) await logDossierAccess(db, principal, access.dossier.id, shown);
    return access;
  };
  if (tx) return read(tx);
  return shown ? withTransaction(s.pool, read) : read(s.pool);
}

/** Which dossier pages the header menu links to (no dossier data shown, nothing logged). */
export interface AccountMenu {
  readonly payments: boolean;
  /** Everyone with a dossier: letters addressed to oneself exist even without household letters. */
  readonly letters: boolean;
  readonly demarches: boolean;
  readonly attestations: boolean;
  readonly documents: boolean;
  readonly household: boolean;
  readonly bankDetails: boolean;
}

/** The menu for these dossiers, by the same rule as the pages (pure: the matrix decides). */
export function menuOf(dossiers: readonly DossierAccess[]): AccountMenu {
  const member = dossiers.length > 0;
  return {
    payments: chooseDossier(dossiers, 'payments').ok,
    letters: member,
    demarches: member,
    attestations: chooseDossier(dossiers, 'attestations').ok,
    documents: member,
    household: chooseDossier(dossiers, 'dossier-summary').ok,
    bankDetails: chooseDossier(dossiers, 'change-bank-details').ok,
  };
}

/** Is this reason the matrix's refusal (the 403 page), rather than a journey's own answer? */
export function isRefusal(reason: string): reason is DossierRefusal['reason'] {
  return reason === 'forbidden' || reason === 'no-dossier';
}
