import type { PoolClient } from 'pg';
import { PAYMENT_MONTHS } from '#src/domain/payments.ts';

/** One benefit paid every month: `cents` until `changesAt` months ago, then `after`. */
interface Stream {
  readonly benefit: string;
  readonly cents: number;
  /** How many months ago the amount changed (a revaluation, new resources), and to what. */
  readonly change?: { readonly monthsAgo: number; readonly cents: number };
  /** First paid this many months ago (a birth, a new right); else all 24 months. */
  readonly since?: number;
  /** Only in these calendar months (1–12): the back-to-school allowance in August. */
  readonly onlyIn?: readonly number[];
  /** A recovery of an overpayment deducted from one payment. */
  readonly deduction?: {
    readonly monthsAgo: number;
    readonly label: string;
    readonly cents: number;
  };
}

/**
 * 24 months of payments per demo dossier, realistic French benefits (amounts of 2024–2026),
 * each household its own mix: family allowances and housing aid for MARTIN, RSA and housing aid
 * for DIALLO, PAJE and the activity bonus for LEROY, the AAH for PETIT; one « Retenue sur
 * trop-perçu », and amount changes that the chart shows.
 */
export const demoPaymentStreams: Readonly<Record<string, readonly Stream[]>> = {
  '1234567': [
    { benefit: 'Allocations familiales', cents: 14852, change: { monthsAgo: 7, cents: 15105 } },
    {
      benefit: 'Aide personnalisée au logement',
      cents: 23841,
      change: { monthsAgo: 10, cents: 22417 },
      deduction: { monthsAgo: 2, label: 'Retenue sur trop-perçu', cents: 4500 },
    },
  ],
  '2345678': [
    { benefit: 'Aide personnalisée au logement', cents: 18730 },
    { benefit: 'Allocation de rentrée scolaire', cents: 42348, onlyIn: [8] },
  ],
  '3456789': [
    { benefit: 'Prime d’activité', cents: 18720, change: { monthsAgo: 4, cents: 16244 } },
    { benefit: 'Allocation de base PAJE', cents: 19910, since: 22 },
  ],
  '4567890': [
    {
      benefit: 'Revenu de solidarité active',
      cents: 63571,
      change: { monthsAgo: 7, cents: 64652 },
    },
    { benefit: 'Aide personnalisée au logement', cents: 28900 },
  ],
  '5678901': [
    {
      benefit: 'Allocation aux adultes handicapés',
      cents: 101605,
      change: { monthsAgo: 7, cents: 103332 },
    },
    { benefit: 'Allocation de soutien familial', cents: 19919 },
    { benefit: 'Aide personnalisée au logement', cents: 31215 },
  ],
};

export interface DemoPayment {
  readonly paidOn: string;
  readonly benefit: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly period: string;
  readonly grossCents: number;
  readonly netCents: number;
  readonly deduction: { readonly label: string; readonly cents: number } | null;
}

const iso = (d: Date): string => d.toISOString().slice(0, 10);
const periodFormat = new Intl.DateTimeFormat('fr-FR', {
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/**
 * The payments of the 24 months ending with `today`'s: paid on the 5th for the month before,
 * none in the future.
 */
export function demoPayments(streams: readonly Stream[], today: Date): DemoPayment[] {
  const out: DemoPayment[] = [];
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth();
  for (let ago = PAYMENT_MONTHS - 1; ago >= 0; ago--) {
    const paid = new Date(Date.UTC(y, m - ago, 5));
    if (paid > today) continue;
    const start = new Date(Date.UTC(y, m - ago - 1, 1));
    const end = new Date(Date.UTC(y, m - ago, 0));
    for (const s of streams) {
      if (s.since !== undefined && ago > s.since) continue;
      if (s.onlyIn && !s.onlyIn.includes(paid.getUTCMonth() + 1)) continue;
      const gross = s.change && ago <= s.change.monthsAgo ? s.change.cents : s.cents;
      const deduction =
        s.deduction?.monthsAgo === ago
          ? { label: s.deduction.label, cents: s.deduction.cents }
          : null;
      out.push({
        paidOn: iso(paid),
        benefit: s.benefit,
        periodStart: iso(start),
        periodEnd: iso(end),
        period: periodFormat.format(start),
        grossCents: gross,
        netCents: gross - (deduction?.cents ?? 0),
        deduction,
      });
    }
  }
  return out;
}

async function insertPayments(tx: PoolClient, dossierId: string, rows: readonly DemoPayment[]) {
  // One statement for the dossier's payments, one for their deductions (no per-row round trip).
  const inserted = await tx.query<{ id: string; key: string }>(
    `INSERT INTO payments (dossier_id, paid_on, benefit, period, period_start, period_end,
                           gross_cents, amount_cents, iban)
     SELECT $1, paid_on, benefit, period, period_start, period_end, gross, net,
            (SELECT iban FROM dossiers WHERE id = $1)
       FROM unnest($2::date[], $3::text[], $4::text[], $5::date[], $6::date[], $7::int[], $8::int[])
            AS t(paid_on, benefit, period, period_start, period_end, gross, net)
     RETURNING id::text AS id, paid_on::text || ' ' || benefit AS key`,
    [
      dossierId,
      rows.map((r) => r.paidOn),
      rows.map((r) => r.benefit),
      rows.map((r) => r.period),
      rows.map((r) => r.periodStart),
      rows.map((r) => r.periodEnd),
      rows.map((r) => r.grossCents),
      rows.map((r) => r.netCents),
    ],
  );
  // A dossier is paid one benefit once a day: day and benefit name the row.
  const idOf = new Map(inserted.rows.map((r) => [r.key, r.id]));
  const deducted = rows.flatMap((r) => {
    const id = idOf.get(`${r.paidOn} ${r.benefit}`);
    return r.deduction && id ? [{ id, ...r.deduction }] : [];
  });
  if (!deducted.length) return;
  await tx.query(
    `INSERT INTO payment_deductions (payment_id, label, amount_cents)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[])`,
    [deducted.map((d) => d.id), deducted.map((d) => d.label), deducted.map((d) => d.cents)],
  );
}

/** The `DemoContentSeeder` of payments (its type not imported: demo-content.ts imports this file). */
export async function seedDemoPayments(
  tx: PoolClient,
  ids: { readonly dossiers: ReadonlyMap<string, string> },
): Promise<void> {
  const today = new Date();
  for (const [number, streams] of Object.entries(demoPaymentStreams)) {
    const dossierId = ids.dossiers.get(number);
    if (dossierId) await insertPayments(tx, dossierId, demoPayments(streams, today));
  }
}
