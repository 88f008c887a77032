import type { PoolClient } from 'pg';
import {
  cycleOpenOn,
  declarationPeriod,
  quarterDeclaredIn,
  type Quarter,
  type ResourceKind,
} from '#src/domain/quarterly-declaration.ts';

/** demo-content.ts's DemoIds, restated: importing it from there would make an import loop. */
interface DemoIds {
  readonly persons: ReadonlyMap<string, string>;
  readonly dossiers: ReadonlyMap<string, string>;
}

const AMADOU_DOSSIER = '4567890';
const LEROY_DOSSIER = '3456789';
const MARTIN_DOSSIER = '1234567';

function need(map: ReadonlyMap<string, string>, key: string): string {
  const id = map.get(key);
  if (!id) throw new Error(`demo id missing: ${key}`);
  return id;
}

type Figures = readonly (readonly [personKey: string, month: 0 | 1 | 2, ResourceKind, number])[];

async function partner(
  tx: PoolClient,
  ids: DemoIds,
  dossier: string,
  q: Quarter,
  figures: readonly (readonly [string, 0 | 1 | 2, ResourceKind, number, string])[],
) {
  for (const [person, m, kind, cents, source] of figures) {
    await tx.query(
      `INSERT INTO partner_resources (dossier_id, person_id, month, kind, amount_cents, source)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [need(ids.dossiers, dossier), need(ids.persons, person), q.months[m], kind, cents, source],
    );
  }
}

async function declaration(
  tx: PoolClient,
  ids: DemoIds,
  d: {
    dossier: string;
    author: string;
    quarter: Quarter;
    at: Date;
    status: 'brouillon' | 'traitee';
    lines: Figures;
    partners?: ReadonlyMap<string, number>;
  },
) {
  const dossierId = need(ids.dossiers, d.dossier);
  const author = need(ids.persons, d.author);
  const submitted = d.status !== 'brouillon';
  const r = await tx.query<{ id: string }>(
    `INSERT INTO demarches (dossier_id, author_person_id, kind, details, idempotency_key, status,
                            created_at, status_changed_at)
     VALUES ($1, $2, 'declaration-trimestrielle', $3, $4, $5, $6, $6) RETURNING id`,
    [
      dossierId,
      author,
      JSON.stringify({ quarter: d.quarter.start }),
      `declaration-trimestrielle:${dossierId}:${d.quarter.start}`,
      d.status,
      d.at,
    ],
  );
  const reference = `DTR-${d.quarter.start.slice(0, 7).replace('-', '')}-DEMO${d.dossier.slice(-4)}`;
  const decl = await tx.query<{ id: string }>(
    `INSERT INTO quarterly_declarations (demarche_id, dossier_id, quarter_start, version,
                                         updated_by, updated_at, submitted_at, submitted_by, reference)
     VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8) RETURNING id`,
    [
      r.rows[0]?.id,
      dossierId,
      d.quarter.start,
      author,
      d.at,
      submitted ? d.at : null,
      submitted ? author : null,
      submitted ? reference : null,
    ],
  );
  for (const [person, m, kind, cents] of d.lines) {
    const personId = need(ids.persons, person);
    const month = d.quarter.months[m];
    await tx.query(
      `INSERT INTO quarterly_declaration_lines
         (declaration_id, person_id, month, kind, amount_cents, partner_amount_cents)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        decl.rows[0]?.id,
        personId,
        month,
        kind,
        cents,
        d.partners?.get(`${person}|${m}|${kind}`) ?? null,
      ],
    );
  }
}

/**
 * Issue 14 D: the RSA household (Amadou DIALLO) and the prime d'activité one (Leroy) declare
 * quarterly, on the cycle open on the day of the seed so that the demo always has one due;
 * partners' figures for it; Sophie LEROY's draft in progress; Amadou's last quarter sent and
 * treated; a change of address of the Martin household cancelled, with its reason.
 */
export async function seedDemoDeclarations(tx: PoolClient, ids: DemoIds): Promise<void> {
  const now = (await tx.query<{ now: Date }>('SELECT now() AS now')).rows[0]?.now ?? new Date();
  const cycle = cycleOpenOn(now);
  const period = declarationPeriod(cycle, now);
  if (!period.open) throw new Error('the cycle open today is open');
  const q = period.quarter;
  for (const dossier of [AMADOU_DOSSIER, LEROY_DOSSIER]) {
    await tx.query('UPDATE dossiers SET quarterly_declaration_cycle = $2 WHERE id = $1', [
      need(ids.dossiers, dossier),
      cycle,
    ]);
  }

  const amadou = 'identifiant-provisoire';
  await partner(tx, ids, AMADOU_DOSSIER, q, [
    [amadou, 0, 'chomage', 61230, 'France Travail'],
    [amadou, 1, 'chomage', 61230, 'France Travail'],
    [amadou, 2, 'chomage', 38740, 'France Travail'],
    [amadou, 2, 'salaires', 45000, 'Employeur (DSN)'],
  ]);
  const [y, m] = q.start.split('-').map(Number);
  const previous = quarterDeclaredIn(y ?? 2026, m ?? 1);
  await declaration(tx, ids, {
    dossier: AMADOU_DOSSIER,
    author: amadou,
    quarter: previous,
    at: new Date(`${q.start.slice(0, 8)}06T09:12:00Z`),
    status: 'traitee',
    lines: [
      [amadou, 0, 'chomage', 61230],
      [amadou, 1, 'chomage', 61230],
      [amadou, 2, 'chomage', 61230],
    ],
  });

  const sophie = 'allocataire-leroy';
  const antoine = 'conjoint-avec-delegation';
  await partner(tx, ids, LEROY_DOSSIER, q, [
    [antoine, 0, 'salaires', 185000, 'Employeur (DSN)'],
    [antoine, 1, 'salaires', 185000, 'Employeur (DSN)'],
    [antoine, 2, 'salaires', 192340, 'Employeur (DSN)'],
  ]);
  // Two days ago, but within the open month (its 1st at the earliest) and never in the future.
  const opened = new Date(`${period.closesOn.slice(0, 8)}01T07:00:00Z`).getTime();
  const draftAt = new Date(
    Math.min(now.getTime(), Math.max(now.getTime() - 2 * 86_400_000, opened)),
  );
  await declaration(tx, ids, {
    dossier: LEROY_DOSSIER,
    author: sophie,
    quarter: q,
    at: draftAt,
    status: 'brouillon',
    lines: [
      [sophie, 0, 'salaires', 142050],
      [antoine, 0, 'salaires', 185000],
      [antoine, 1, 'salaires', 190000],
    ],
    partners: new Map([
      [`${antoine}|0|salaires`, 185000],
      [`${antoine}|1|salaires`, 185000],
    ]),
  });

  const martin = need(ids.dossiers, MARTIN_DOSSIER);
  const cancelledAt = new Date(now.getTime() - 20 * 86_400_000);
  await tx.query(
    `INSERT INTO demarches (dossier_id, author_person_id, kind, details, idempotency_key, status,
                            created_at, status_changed_at, cancelled_at, cancel_reason)
     VALUES ($1, $2, 'changement-adresse', '{}', $3, 'annulee', $4, $5, $5, $6)`,
    [
      martin,
      need(ids.persons, 'allocataire-migre'),
      `demo-changement-adresse-annule:${martin}`,
      new Date(cancelledAt.getTime() - 3 * 86_400_000),
      cancelledAt,
      'Vous avez annulé cette déclaration : le déménagement n’a finalement pas eu lieu.',
    ],
  );
}
