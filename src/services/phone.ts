import { createHash, randomBytes } from 'node:crypto';
import { withTransaction } from '#src/db/pool.ts';
import { lastPayments } from '#src/db/repositories/payments.ts';
import { listDocumentRequests } from '#src/db/repositories/documents.ts';
import { findPhoneDossier, recordPhoneAccess } from '#src/db/repositories/phone.ts';
import { ageOn, isAllowed } from '#src/domain/access.ts';
import {
  isAllocataireNumber,
  isLegacyPassword,
  nextPaymentDate,
  parisDay,
  phoneLegacyPasswordValid,
} from '#src/domain/phone.ts';
import type { Deps } from './deps.ts';
import {
  accountSubject,
  attemptSucceeded,
  openAttempt,
  type AttemptSubjects,
} from './throttling.ts';

/** What the voice menu reads out. Amounts in cents, dates YYYY-MM-DD. */
export interface PhoneAnswer {
  readonly numeroAllocataire: string;
  /** May the caller get dossier information by phone (docs/design.md §3, last row)? */
  readonly autorise: boolean;
  readonly dernierPaiement: {
    readonly date: string;
    readonly montantCentimes: number;
    readonly prestation: string;
  } | null;
  readonly prochainPaiement: string | null;
  /** What the Caf still waits for (Mes documents: requests not yet answered), by kind. */
  readonly documentsAttendus: readonly string[];
}

export type PhoneOutcome =
  | { readonly status: 'ok'; readonly answer: PhoneAnswer }
  | { readonly status: 'invalid' }
  | { readonly status: 'expired' }
  | { readonly status: 'throttled'; readonly retryAt: Date };

const ROUTE = '/api/serveur-vocal/consultation';

/**
 * One call: allocataire number + old 8-digit password, nothing else (no session, no cookie,
 * nothing cached). Throttled per allocataire number with the web's bounds for that password;
 * the caller is the dossier's allocataire (the household password is theirs), and every answer
 * about the dossier writes its access-log row, channel « téléphone », with its reads.
 */
export async function phoneConsultation(
  s: Deps,
  input: { readonly number: string; readonly password: string },
): Promise<PhoneOutcome> {
  const { number, password } = input;
  if (!isAllocataireNumber(number) || !isLegacyPassword(password)) return { status: 'invalid' };
  // The voice server is one client for every caller: no per-address budget, per number only.
  const subjects: AttemptSubjects = {
    account: accountSubject(s.secrets.throttles, `telephone:${number}`),
    address: 'serveur-vocal',
    knownDevice: true,
  };
  const opening = await openAttempt(s.pool, 'legacy', subjects, s.now());
  if (!opening.allowed) return { status: 'throttled', retryAt: opening.retryAt };
  const dossier = await findPhoneDossier(s.pool, number);
  if (!dossier?.legacyHash) {
    await s.hasher.verifyNothing(password);
    return { status: 'invalid' };
  }
  if (!(await s.hasher.verify(dossier.legacyHash, password))) return { status: 'invalid' };
  await attemptSucceeded(s.pool, 'legacy', subjects);
  const now = s.now();
  const today = parisDay(now);
  const valid = phoneLegacyPasswordValid({
    migrated: dossier.migrated,
    dossierUntil: dossier.phoneLegacyUntil,
    configuredCutoff: s.config.phone.legacyPasswordCutoff,
    today,
  });
  if (!valid) return { status: 'expired' };

  const membership = {
    role: dossier.role,
    delegation: dossier.delegation,
    age: ageOn(dossier.allocataireBirthdate, now),
  };
  const autorise = isAllowed(membership, 'agent-information');
  return withTransaction(s.pool, async (tx) => {
    const [last] = autorise ? await lastPayments(tx, dossier.dossierId, 1) : [];
    const awaited = autorise
      ? (await listDocumentRequests(tx, dossier.dossierId, null)).filter(
          (r) => r.status === 'a-envoyer',
        )
      : [];
    await recordPhoneAccess(tx, {
      callHash: createHash('sha256').update(randomBytes(32)).digest(),
      personId: dossier.allocataireId,
      dossierId: dossier.dossierId,
      categories: autorise ? ['paiements', 'documents'] : [],
      route: ROUTE,
    });
    return {
      status: 'ok',
      answer: {
        numeroAllocataire: dossier.number,
        autorise,
        dernierPaiement: last
          ? { date: last.paidOn, montantCentimes: last.amountCents, prestation: last.benefit }
          : null,
        prochainPaiement: last ? nextPaymentDate(today) : null,
        documentsAttendus: awaited.map((r) => r.kind),
      },
    };
  });
}
