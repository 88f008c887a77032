import type { PoolClient } from 'pg';

/** Documents the Caf asks for: of a household, or of one member by name. */
const requests: readonly {
  dossier: string;
  askedOf: string | null;
  kind: string;
  daysAgo: number;
}[] = [
  { dossier: '4567890', askedOf: null, kind: 'Avis d’imposition 2025', daysAgo: 12 },
  { dossier: '4567890', askedOf: null, kind: 'Justificatif de domicile', daysAgo: 12 },
  { dossier: '1234567', askedOf: null, kind: 'Attestation de loyer', daysAgo: 20 },
  {
    dossier: '1234567',
    askedOf: 'conjoint-sans-delegation',
    kind: 'Avis d’imposition 2025',
    daysAgo: 8,
  },
  { dossier: '3456789', askedOf: null, kind: 'Justificatif de domicile', daysAgo: 5 },
  // Nathalie DUBOIS's household: what the voice server reads out to a caller not yet migrated.
  { dossier: '2345678', askedOf: null, kind: 'Justificatif de domicile', daysAgo: 3 },
];

/** « Mes documents »: requests for some personas (Amadou DIALLO, Julien by name…). */
// Typed by its shape, not by DemoContentSeeder: demo-content.ts imports this file (no import loop).
export async function seedDemoDocuments(
  tx: PoolClient,
  ids: {
    readonly persons: ReadonlyMap<string, string>;
    readonly dossiers: ReadonlyMap<string, string>;
  },
): Promise<void> {
  for (const r of requests) {
    const dossierId = ids.dossiers.get(r.dossier);
    if (!dossierId) throw new Error(`demo documents: no dossier ${r.dossier}`);
    const personId = r.askedOf === null ? null : ids.persons.get(r.askedOf);
    if (personId === undefined) throw new Error(`demo documents: no persona ${String(r.askedOf)}`);
    await tx.query(
      `INSERT INTO document_requests (dossier_id, person_id, kind, asked_at)
       VALUES ($1, $2, $3, now() - make_interval(days => $4))`,
      [dossierId, personId, r.kind, r.daysAgo],
    );
  }
}
