import { withTransaction, type Queryable } from '#src/db/pool.ts';
import { listMembers, type DossierRow } from '#src/db/repositories/dossiers.ts';
import { loadLettersPageRows } from '#src/db/repositories/courriers-page.ts';
import {
  acknowledgeReceipt,
  findLetter,
  markLetterRead,
  type LetterRow,
  type LetterScope,
} from '#src/db/repositories/letters.ts';
import { displayName } from '#src/domain/names.ts';
import type { Principal } from '#src/domain/principal.ts';
import type { Deps } from './deps.ts';
import {
  chooseDossier,
  dossiersOf,
  logDossierAccess,
  type DossierAccess,
  type DossierRefusal,
} from './dossier-access.ts';
import { letterPdf } from './pdf/letter.ts';
import { hasStrongAuthentication, isRecentFranceConnectPlus } from './strong-auth.ts';

interface LetterAccess {
  readonly dossier: DossierRow;
  readonly scope: LetterScope;
}

/**
 * The matrix for letters: `household-letters` reads every letter of the dossier; any other member
 * of 15 or more (`own-data`) reads the letters addressed to them — decided on the record.
 */
export function letterScopeOf(
  principal: Principal,
  dossiers: readonly DossierAccess[],
): LetterAccess | DossierRefusal {
  const household = chooseDossier(dossiers, 'household-letters');
  if (household.ok) return { dossier: household.dossier, scope: { kind: 'household' } };
  const own = chooseDossier(dossiers, 'own-data');
  if (!own.ok) return own;
  return { dossier: own.dossier, scope: { kind: 'addressee', personId: principal.personId } };
}

async function letterAccess(
  s: Pick<Deps, 'now'>,
  principal: Principal,
  tx: Queryable,
): Promise<LetterAccess | DossierRefusal> {
  return letterScopeOf(principal, await dossiersOf(tx, principal, s.now()));
}

export interface LettersPage {
  readonly ok: true;
  readonly dossierNumber: string;
  /** Every letter of the dossier, or only those addressed to the person. */
  readonly scope: LetterScope['kind'];
  readonly letters: readonly LetterRow[];
}

/** A membership changed between the session's statement and the page's: ask again, then stop. */
const ATTEMPTS = 3;

/**
 * "Mes courriers": the letters this person may read, in one statement (ADR 0014): the letters
 * rule decides on the memberships read with the session, the statement re-checks them in its
 * snapshot, reads the letters and writes the access-log row. A refusal reads and logs nothing.
 */
export async function loadLetters(
  s: Pick<Deps, 'pool' | 'now'>,
  principal: Principal,
  signedIn: readonly DossierAccess[],
  route: string,
): Promise<LettersPage | DossierRefusal> {
  let memberships = signedIn;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const access = letterScopeOf(principal, memberships);
    if ('ok' in access) return access;
    const household = access.scope.kind === 'household';
    const rows = await loadLettersPageRows(s.pool, {
      personId: principal.personId,
      sessionHash: principal.sessionHash,
      route,
      memberships: memberships.map(({ dossier, membership }) => ({
        dossierId: dossier.id,
        role: membership.role,
        delegation: membership.delegation,
      })),
      dossierId: access.dossier.id,
      household,
      // The category tells an incident report which matrix cell allowed the display.
      categories: [household ? 'courriers' : 'courriers-personnels'],
    });
    if (rows.fresh) {
      return {
        ok: true,
        dossierNumber: access.dossier.number,
        scope: access.scope.kind,
        letters: rows.letters,
      };
    }
    memberships = await dossiersOf(s.pool, principal, s.now());
  }
  throw new Error('the memberships kept changing while the letters were read');
}

export type LetterOpening =
  | { readonly ok: true; readonly pdf: Buffer; readonly fileName: string }
  | { readonly ok: false; readonly reason: 'not-found' | 'strong-auth' };

/**
 * Opens one letter as a PDF. The id is looked up within what the person may read (anything else
 * is "not found", existence included). An LRE asks for a strong authentication first; its first
 * opening is the acknowledgment of receipt. Read mark, acknowledgment and access log: one
 * transaction.
 */
export async function openLetter(
  s: Deps,
  principal: Principal,
  letterId: string,
  route: string,
): Promise<LetterOpening | DossierRefusal> {
  const strong = await hasStrongAuthentication(s, principal);
  const now = s.now();
  const opened = await withTransaction(s.pool, async (tx) => {
    const access = await letterAccess(s, principal, tx);
    if ('ok' in access) return access;
    const found = await findLetter(
      tx,
      access.dossier.id,
      principal.personId,
      access.scope,
      letterId,
    );
    if (!found) return { ok: false as const, reason: 'not-found' as const };
    if (found.registered && !strong) return { ok: false as const, reason: 'strong-auth' as const };
    await markLetterRead(tx, found.id, principal.personId, now);
    if (found.registered) {
      const method = isRecentFranceConnectPlus(principal, now)
        ? 'franceconnect-plus'
        : 'mot-de-passe+code';
      await acknowledgeReceipt(tx, found.id, principal.personId, now, method);
    }
    // Read again: the acknowledgment shown is the one recorded, this opening's or an earlier one.
    const letter =
      (await findLetter(tx, access.dossier.id, principal.personId, access.scope, letterId)) ??
      found;
    const members = await listMembers(tx, access.dossier.id);
    const addresseeId =
      letter.addresseePersonId ?? members.find((m) => m.role === 'allocataire')?.personId;
    const addressee = members.find((m) => m.personId === addresseeId);
    const category = addresseeId === principal.personId ? 'courriers-personnels' : 'courriers';
    await logDossierAccess(tx, principal, access.dossier.id, { route, categories: [category] });
    return { ok: true as const, letter, dossier: access.dossier, addressee };
  });
  if (!opened.ok) return opened;
  const { letter, dossier, addressee } = opened;
  const pdf = await letterPdf({
    dossierNumber: dossier.number,
    addressee: addressee ? displayName(addressee.givenName, addressee.familyName) : '',
    address: [
      dossier.addressLine1,
      ...(dossier.addressLine2 ? [dossier.addressLine2] : []),
      `${dossier.postcode} ${dossier.city}`,
    ],
    sentOn: letter.sentOn,
    subject: letter.subject,
    body: letter.body,
    registered: letter.registered,
    receipt: letter.receipt,
  });
  return { ok: true, pdf, fileName: `courrier-caf-${letter.sentOn}.pdf` };
}

/** Does the id name an LRE this person may read? (The step-up pages show nothing of it.) */
export async function isReadableRegisteredLetter(
  s: Pick<Deps, 'pool' | 'now'>,
  principal: Principal,
  letterId: string,
): Promise<boolean> {
  const access = await letterAccess(s, principal, s.pool);
  if ('ok' in access) return false;
  const found = await findLetter(
    s.pool,
    access.dossier.id,
    principal.personId,
    access.scope,
    letterId,
  );
  return found?.registered ?? false;
}
