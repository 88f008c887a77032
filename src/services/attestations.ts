import { withTransaction } from '#src/db/pool.ts';
import { loadAttestationsPageRows } from '#src/db/repositories/attestations-page.ts';
import {
  findAttestationByReference,
  insertAttestation,
  paymentsOfBenefit,
  quotientFamilialOf,
  type AttestationCheck,
} from '#src/db/repositories/attestations.ts';
import { listMembers, type DossierRow } from '#src/db/repositories/dossiers.ts';
import {
  initialsOf,
  newAttestationReference,
  parseReference,
} from '#src/domain/attestation-reference.ts';
import { displayName } from '#src/domain/names.ts';
import type { Principal } from '#src/domain/principal.ts';
import type { Deps } from './deps.ts';
import {
  chooseDossier,
  dossierFor,
  dossiersOf,
  logDossierAccess,
  type DossierAccess,
  type DossierRefusal,
} from './dossier-access.ts';
import { attestationPdf, type AttestationDocument } from './pdf/attestation.ts';
import { accountSubject, openAttempt } from './throttling.ts';

export interface AttestationsPage {
  readonly ok: true;
  readonly dossierNumber: string;
  /** The benefits paid on the dossier, for the attestation de paiement. */
  readonly benefits: readonly string[];
  readonly quotientFamilial: boolean;
}

/** A membership changed between the session's statement and the page's: ask again, then stop. */
const ATTEMPTS = 3;

/**
 * "Mes attestations": what can be attested, for whom the matrix allows (`attestations`), in one
 * statement (ADR 0014): the matrix decides on the memberships read with the session, the
 * statement re-checks them in its snapshot, reads and writes the access-log row. A refusal reads
 * and logs nothing.
 */
export async function loadAttestationsPage(
  s: Pick<Deps, 'pool' | 'now'>,
  principal: Principal,
  signedIn: readonly DossierAccess[],
  route: string,
): Promise<AttestationsPage | DossierRefusal> {
  let memberships = signedIn;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const access = chooseDossier(memberships, 'attestations');
    if (!access.ok) return access;
    const rows = await loadAttestationsPageRows(s.pool, {
      personId: principal.personId,
      sessionHash: principal.sessionHash,
      route,
      memberships: memberships.map(({ dossier, membership }) => ({
        dossierId: dossier.id,
        role: membership.role,
        delegation: membership.delegation,
      })),
      dossierId: access.dossier.id,
      categories: ['attestations'],
    });
    if (rows.fresh) {
      return {
        ok: true,
        dossierNumber: access.dossier.number,
        benefits: rows.benefits,
        quotientFamilial: rows.quotientFamilial,
      };
    }
    memberships = await dossiersOf(s.pool, principal, s.now());
  }
  throw new Error('the memberships kept changing while the attestations page was read');
}

export type AttestationRequest =
  | {
      readonly kind: 'paiement';
      readonly benefit: string;
      /** First and last day, YYYY-MM-DD. */
      readonly periodStart: string;
      readonly periodEnd: string;
    }
  | { readonly kind: 'quotient-familial' };

export type AttestationIssue =
  | {
      readonly ok: true;
      readonly pdf: Buffer;
      readonly fileName: string;
      readonly reference: string;
    }
  | { readonly ok: false; readonly reason: 'no-payments' | 'no-quotient' };

function addressOf(d: DossierRow): string[] {
  return [d.addressLine1, ...(d.addressLine2 ? [d.addressLine2] : []), `${d.postcode} ${d.city}`];
}

/**
 * Issues an attestation as a PDF, in the holder's name (the allocataire): one transaction records
 * it (who asked, what, when, its reference) with the access-log row; the same request on the
 * same day hands back the same attestation.
 */
export async function issueAttestation(
  s: Pick<Deps, 'pool' | 'now'>,
  principal: Principal,
  request: AttestationRequest,
  /** `verificationUrl`: the public page that checks a reference, printed on the attestation. */
  where: { readonly route: string; readonly verificationUrl: string },
): Promise<AttestationIssue | DossierRefusal> {
  const { route, verificationUrl } = where;
  const now = s.now();
  const issued = await withTransaction(s.pool, async (tx) => {
    const access = await dossierFor(s, principal, 'attestations', { tx });
    if (!access.ok) return access;
    const dossier = access.dossier;
    const members = await listMembers(tx, dossier.id);
    const holder = members.find((m) => m.role === 'allocataire');
    if (!holder) throw new Error(`dossier ${dossier.number} has no allocataire`);
    const base = {
      dossierId: dossier.id,
      personId: principal.personId,
      holderInitials: initialsOf(holder.givenName, holder.familyName),
      issuedOn: now.toISOString().slice(0, 10),
      issuedAt: now,
      reference: newAttestationReference(),
    };
    let payments: Awaited<ReturnType<typeof paymentsOfBenefit>> = [];
    let quotientFamilial: number | null = null;
    if (request.kind === 'paiement') {
      payments = await paymentsOfBenefit(
        tx,
        dossier.id,
        request.benefit,
        request.periodStart,
        request.periodEnd,
      );
      if (payments.length === 0) return { ok: false as const, reason: 'no-payments' as const };
    } else {
      quotientFamilial = await quotientFamilialOf(tx, dossier.id);
      if (quotientFamilial === null) return { ok: false as const, reason: 'no-quotient' as const };
    }
    const recorded = await insertAttestation(tx, {
      ...base,
      kind: request.kind,
      benefit: request.kind === 'paiement' ? request.benefit : null,
      periodStart: request.kind === 'paiement' ? request.periodStart : null,
      periodEnd: request.kind === 'paiement' ? request.periodEnd : null,
    });
    await logDossierAccess(tx, principal, dossier.id, {
      route,
      categories: request.kind === 'paiement' ? ['attestations', 'paiements'] : ['attestations'],
    });
    const common = {
      reference: recorded.reference,
      issuedAt: recorded.issuedAt,
      holder: displayName(holder.givenName, holder.familyName),
      dossierNumber: dossier.number,
      address: addressOf(dossier),
      verificationUrl,
    };
    const document: AttestationDocument =
      request.kind === 'paiement'
        ? { ...common, ...request, payments }
        : { ...common, kind: 'quotient-familial', quotientFamilial: quotientFamilial ?? 0 };
    return { ok: true as const, document, dossierNumber: dossier.number };
  });
  if (!issued.ok) return issued;
  return {
    ok: true,
    pdf: await attestationPdf(issued.document),
    fileName: `attestation-${request.kind}-${issued.dossierNumber}.pdf`,
    reference: issued.document.reference,
  };
}

export type AttestationVerdict =
  | { readonly status: 'genuine'; readonly attestation: AttestationCheck }
  | { readonly status: 'unknown' }
  | { readonly status: 'throttled'; readonly retryAt: Date };

/**
 * The public check of a reference: genuine (kind, date, initials) or not, the same answer for a
 * forged and a malformed reference. Every check counts against the client address.
 */
export async function verifyAttestation(
  s: Pick<Deps, 'pool' | 'now' | 'secrets'>,
  input: string,
  clientIp: string,
): Promise<AttestationVerdict> {
  const subjects = {
    account: accountSubject(s.secrets.throttles, `attestation-check:${clientIp}`),
    address: clientIp,
  };
  const opening = await openAttempt(s.pool, 'attestation-check', subjects, s.now());
  if (!opening.allowed) return { status: 'throttled', retryAt: opening.retryAt };
  const reference = parseReference(input);
  const found = reference ? await findAttestationByReference(s.pool, reference) : null;
  return found ? { status: 'genuine', attestation: found } : { status: 'unknown' };
}
