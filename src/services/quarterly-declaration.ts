import { randomBytes } from 'node:crypto';
import { withTransaction, type Queryable } from '#src/db/pool.ts';
import {
  declarationCycleOf,
  declarationLines,
  findDeclaration,
  lockOrCreateDeclaration,
  markSubmitted,
  partnerFigures,
  saveDraftLines,
  type DeclarationLine,
  type DeclarationRow,
} from '#src/db/repositories/declarations.ts';
import { listMembers, type DossierRow } from '#src/db/repositories/dossiers.ts';
import { ageOn, isAllowed, type Membership } from '#src/domain/access.ts';
import { displayName } from '#src/domain/names.ts';
import type { Principal } from '#src/domain/principal.ts';
import {
  declarationPeriod,
  isDeclarationCycle,
  RESOURCE_KINDS,
  type DeclarationPeriod,
  type Quarter,
  type ResourceKind,
} from '#src/domain/quarterly-declaration.ts';
import { dossierFor, type DossierRefusal } from './dossier-access.ts';
import type { Deps } from './deps.ts';

/** Members from this age declare their resources (they may earn: apprenticeship, jobs). */
export const DECLARING_AGE = 16;

export interface Declarant {
  readonly personId: string;
  readonly name: string;
}

/** One figure of the form: what is saved (or offered) and what a partner sent. */
export interface Figure {
  readonly personId: string;
  readonly month: string;
  readonly kind: ResourceKind;
  /** Saved in the draft or the declaration; else the partner's, offered; else null (nothing). */
  readonly amountCents: number | null;
  readonly partner: { readonly amountCents: number; readonly source: string } | null;
  /** Saved, and different from what the partner sent. */
  readonly corrected: boolean;
}

interface Common {
  readonly ok: true;
  readonly dossierNumber: string;
  readonly holder: string;
}

export type DeclarationPage =
  | (Common & { readonly state: 'not-subject' })
  | (Common & {
      readonly state: 'closed';
      readonly opensOn: string;
      readonly quarter: Quarter;
    })
  | (Common & {
      readonly state: 'open' | 'submitted';
      readonly quarter: Quarter;
      readonly closesOn: string;
      readonly declarants: readonly Declarant[];
      readonly figures: readonly Figure[];
      readonly version: number;
      /** The allocataire, or a member with delegation: may send; others prepare the draft. */
      readonly canSubmit: boolean;
      readonly draft: { readonly savedAt: Date; readonly savedBy: string } | null;
      readonly submitted: {
        readonly at: Date;
        readonly by: string;
        readonly reference: string;
      } | null;
    });

/** The key of a figure in forms and maps: person, month (YYYY-MM-01), kind. */
export function figureKey(personId: string, month: string, kind: ResourceKind): string {
  return `${personId}|${month}|${kind}`;
}

interface Context {
  readonly dossier: DossierRow;
  readonly membership: Membership;
  readonly period: DeclarationPeriod | null;
  readonly holder: string;
  readonly declarants: readonly Declarant[];
  readonly names: ReadonlyMap<string, string>;
}

async function contextOf(
  s: Pick<Deps, 'now'>,
  tx: Queryable,
  dossier: DossierRow,
  membership: Membership,
): Promise<Context> {
  const cycle = await declarationCycleOf(tx, dossier.id);
  const now = s.now();
  const members = await listMembers(tx, dossier.id);
  const names = new Map(members.map((m) => [m.personId, displayName(m.givenName, m.familyName)]));
  const allocataire = members.find((m) => m.role === 'allocataire');
  const declarants = members
    .filter(
      (m) =>
        m.role === 'allocataire' ||
        m.role === 'conjoint' ||
        ageOn(m.birthdate, now) >= DECLARING_AGE,
    )
    .map((m) => ({ personId: m.personId, name: names.get(m.personId) ?? '' }));
  return {
    dossier,
    membership,
    period: isDeclarationCycle(cycle) ? declarationPeriod(cycle, now) : null,
    holder: allocataire ? (names.get(allocataire.personId) ?? '') : '',
    declarants,
    names,
  };
}

async function figuresOf(
  tx: Queryable,
  c: Context,
  quarter: Quarter,
  declaration: DeclarationRow | null,
): Promise<Figure[]> {
  const partners = new Map(
    (await partnerFigures(tx, c.dossier.id, quarter.months)).map((p) => [
      figureKey(p.personId, p.month, p.kind),
      p,
    ]),
  );
  const saved = new Map(
    (declaration ? await declarationLines(tx, declaration.id) : []).map((l) => [
      figureKey(l.personId, l.month, l.kind),
      l,
    ]),
  );
  const figures: Figure[] = [];
  for (const d of c.declarants) {
    for (const month of quarter.months) {
      for (const kind of RESOURCE_KINDS) {
        const key = figureKey(d.personId, month, kind);
        const p = partners.get(key);
        const line = saved.get(key);
        const partner = p ? { amountCents: p.amountCents, source: p.source } : null;
        figures.push({
          personId: d.personId,
          month,
          kind,
          amountCents: line ? line.amountCents : (partner?.amountCents ?? null),
          partner,
          corrected:
            line !== undefined && partner !== null && line.amountCents !== partner.amountCents,
        });
      }
    }
  }
  return figures;
}

async function pageOf(tx: Queryable, c: Context): Promise<DeclarationPage> {
  const common = { ok: true, dossierNumber: c.dossier.number, holder: c.holder } as const;
  if (!c.period) return { ...common, state: 'not-subject' };
  if (!c.period.open) {
    return { ...common, state: 'closed', opensOn: c.period.opensOn, quarter: c.period.quarter };
  }
  const { quarter, closesOn } = c.period;
  const declaration = await findDeclaration(tx, c.dossier.id, quarter.start);
  const name = (id: string | null) => (id ? (c.names.get(id) ?? '') : '');
  return {
    ...common,
    state: declaration?.submittedAt ? 'submitted' : 'open',
    quarter,
    closesOn,
    declarants: c.declarants,
    figures: await figuresOf(tx, c, quarter, declaration),
    version: declaration?.version ?? 0,
    canSubmit: isAllowed(c.membership, 'household-requests'),
    draft:
      declaration && !declaration.submittedAt && declaration.version > 0
        ? { savedAt: declaration.updatedAt, savedBy: name(declaration.updatedBy) }
        : null,
    submitted:
      declaration?.submittedAt && declaration.reference
        ? {
            at: declaration.submittedAt,
            by: name(declaration.submittedBy),
            reference: declaration.reference,
          }
        : null,
  };
}

/**
 * `/mon-compte/declaration-trimestrielle`: the quarter open now, the figures saved or sent by
 * partners; the drafts and own-name column of the matrix may see it (DESIGN §3).
 */
export async function loadDeclaration(
  s: Deps,
  principal: Principal,
  route: string,
): Promise<DeclarationPage | DossierRefusal> {
  return withTransaction(s.pool, async (tx) => {
    const shown = { route, categories: ['declarations'] } as const;
    const access = await dossierFor(s, principal, 'own-name-requests', { tx, shown });
    if (!access.ok) return access;
    return pageOf(tx, await contextOf(s, tx, access.dossier, access.membership));
  });
}

export type DeclarationWrite =
  | { readonly ok: true; readonly page: DeclarationPage; readonly saved: 'draft' | 'submitted' }
  | DossierRefusal
  | {
      readonly ok: false;
      /** `conflict`: saved meanwhile elsewhere; `closed`: the period moved; `not-subject`. */
      readonly reason: 'conflict' | 'closed' | 'not-subject';
      readonly page: DeclarationPage;
    };

export interface DeclarationInput {
  /** The quarter the form was shown for (YYYY-MM-01). */
  readonly quarterStart: string;
  /** The draft's version the form was shown with. */
  readonly version: number;
  /** By `figureKey`: the amount typed, or null when left empty. */
  readonly amounts: ReadonlyMap<string, number | null>;
}

function linesFrom(figures: readonly Figure[], input: DeclarationInput, fill: boolean) {
  const lines: DeclarationLine[] = [];
  for (const f of figures) {
    const typed = input.amounts.get(figureKey(f.personId, f.month, f.kind)) ?? null;
    // Submitting: an empty field is declared as nothing received (0 €).
    const amount = typed ?? (fill ? 0 : null);
    if (amount === null) continue;
    const partnerAmountCents = f.partner?.amountCents ?? null;
    lines.push({
      personId: f.personId,
      month: f.month,
      kind: f.kind,
      amountCents: amount,
      partnerAmountCents,
    });
  }
  return lines;
}

/**
 * Saves the draft (`submit` false) or sends the declaration, in one transaction holding the
 * declaration's row: a second click, a retry or a second tab finds it sent and records nothing.
 */
export async function writeDeclaration(
  s: Deps,
  principal: Principal,
  input: DeclarationInput,
  submit: boolean,
  route: string,
): Promise<DeclarationWrite> {
  return withTransaction(s.pool, async (tx) => {
    const shown = { route, categories: ['declarations'] } as const;
    const access = await dossierFor(s, principal, 'own-name-requests', { tx, shown });
    if (!access.ok) return access;
    if (submit && !isAllowed(access.membership, 'household-requests')) {
      return { ok: false, reason: 'forbidden' };
    }
    const c = await contextOf(s, tx, access.dossier, access.membership);
    const { period } = c;
    if (!period) return { ok: false, reason: 'not-subject', page: await pageOf(tx, c) };
    if (!period.open || period.quarter.start !== input.quarterStart) {
      return { ok: false, reason: 'closed', page: await pageOf(tx, c) };
    }
    const now = s.now();
    const declaration = await lockOrCreateDeclaration(tx, {
      dossierId: c.dossier.id,
      quarterStart: period.quarter.start,
      authorPersonId: principal.personId,
      now,
    });
    // Sent already (a double click, a retry, another tab): the same answer, nothing recorded.
    if (declaration.submittedAt) {
      return submit
        ? { ok: true, saved: 'submitted', page: await pageOf(tx, c) }
        : { ok: false, reason: 'conflict', page: await pageOf(tx, c) };
    }
    const figures = await figuresOf(tx, c, period.quarter, null);
    const saved = await saveDraftLines(tx, {
      declarationId: declaration.id,
      expectedVersion: input.version,
      personId: principal.personId,
      now,
      lines: linesFrom(figures, input, submit),
    });
    if (!saved) return { ok: false, reason: 'conflict', page: await pageOf(tx, c) };
    if (submit) {
      await markSubmitted(tx, {
        declaration,
        personId: principal.personId,
        now,
        reference: newReference(period.quarter),
      });
    }
    return { ok: true, saved: submit ? 'submitted' : 'draft', page: await pageOf(tx, c) };
  });
}

/** « DTR-202608-7K3QX9PB »: the quarter, then 40 random bits (Crockford base 32). */
function newReference(quarter: Quarter): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const bytes = randomBytes(8);
  const code = [...bytes].map((b) => alphabet[b % 32] ?? '0').join('');
  return `DTR-${quarter.start.slice(0, 7).replace('-', '')}-${code}`;
}

export interface DeclarationReceipt {
  readonly ok: true;
  readonly holder: string;
  readonly dossierNumber: string;
  readonly quarter: Quarter;
  readonly declarants: readonly Declarant[];
  readonly figures: readonly Figure[];
  readonly submittedAt: Date;
  readonly submittedBy: string;
  readonly reference: string;
}

/**
 * What the acknowledgment of a sent declaration shows: the quarter asked for (YYYY-MM-01) in
 * the principal's own dossier, or null when that dossier sent none for it.
 */
export async function declarationReceipt(
  s: Deps,
  principal: Principal,
  quarter: Quarter,
  route: string,
): Promise<DeclarationReceipt | DossierRefusal | null> {
  return withTransaction(s.pool, async (tx) => {
    const shown = { route, categories: ['declarations'] } as const;
    const access = await dossierFor(s, principal, 'own-name-requests', { tx, shown });
    if (!access.ok) return access;
    const declaration = await findDeclaration(tx, access.dossier.id, quarter.start);
    if (!declaration?.submittedAt || !declaration.reference) return null;
    const c = await contextOf(s, tx, access.dossier, access.membership);
    return {
      ok: true,
      holder: c.holder,
      dossierNumber: c.dossier.number,
      quarter,
      declarants: c.declarants,
      figures: await figuresOf(tx, c, quarter, declaration),
      submittedAt: declaration.submittedAt,
      submittedBy: declaration.submittedBy ? (c.names.get(declaration.submittedBy) ?? '') : '',
      reference: declaration.reference,
    };
  });
}
