import { withTransaction, type Pool, type Queryable } from '#src/db/pool.ts';
import type { PasswordHasher } from '#src/services/password-hasher.ts';
import { demoDossiers, demoPrimoDemandeur, nirOf, type DemoPerson } from './demo.ts';

/** The demo personas that a reset can put back (every person of the demo set). */
export function resettablePersonaKeys(): string[] {
  return [...demoDossiers.flatMap((d) => d.members.map((m) => m.key)), demoPrimoDemandeur.key];
}

interface Target {
  readonly person: DemoPerson;
  readonly dossier: string | null;
  readonly delegation: boolean;
}

function targetOf(key: string): Target | null {
  for (const d of demoDossiers) {
    const m = d.members.find((x) => x.key === key);
    if (m) return { person: m, dossier: d.number, delegation: m.delegation ?? false };
  }
  if (demoPrimoDemandeur.key === key)
    return { person: demoPrimoDemandeur, dossier: null, delegation: false };
  return null;
}

/**
 * Puts one demo persona back to its seeded state, and nothing else: identity and contacts,
 * account (its password, or none: not migrated / not activated), delegation, suspension,
 * forced password, FranceConnect links, pending invitations; open sessions end and the
 * identifiers' throttles are cleared (`throttleSubjects`, old and seeded identifiers). The
 * append-only logs keep their rows. In one transaction; false for an unknown key.
 */
export async function resetPersona(
  pool: Pool,
  hasher: PasswordHasher,
  key: string,
  throttleSubjects: (person: { nir: string | null; provisionalId: string | null }) => string[],
  /** More writes in the reset's transaction (the console's audit row). */
  alsoInTransaction?: (tx: Queryable, personId: string) => Promise<void>,
): Promise<string | null> {
  const t = targetOf(key);
  if (!t) return null;
  const p = t.person;
  const nir = nirOf(p);
  const passwordHash = p.password ? await hasher.hash(p.password) : null;
  const run = async (tx: Queryable): Promise<string | null> => {
    // Found by what does not change: names, birth date and the demo dossier (or none).
    const r = await tx.query<{ id: string }>(
      `SELECT p.id FROM persons p
        WHERE p.given_name = $1 AND p.family_name = $2 AND p.birthdate = $3
          AND ($4::text IS NULL AND NOT EXISTS (SELECT 1 FROM dossier_members m WHERE m.person_id = p.id)
               OR EXISTS (SELECT 1 FROM dossier_members m JOIN dossiers d ON d.id = m.dossier_id
                           WHERE m.person_id = p.id AND d.number = $4))
        ORDER BY p.created_at LIMIT 1 FOR UPDATE`,
      [p.givenName, p.familyName, p.birthdate, t.dossier],
    );
    const id = r.rows[0]?.id;
    if (!id) return null;
    const current = await tx.query<{ nir: string | null; provisional_id: string | null }>(
      'SELECT nir, provisional_id FROM persons WHERE id = $1',
      [id],
    );
    await tx.query(
      `UPDATE persons SET nir = $2, provisional_id = $3, email = $4, phone = $5,
              email_verified_at = $6, phone_verified_at = NULL, suspended_at = NULL
        WHERE id = $1`,
      [
        id,
        nir,
        p.provisionalId ?? null,
        p.email ?? null,
        p.phone ?? null,
        p.password && p.email ? new Date() : null,
      ],
    );
    if (passwordHash) {
      await tx.query(
        `INSERT INTO accounts (person_id, password_hash) VALUES ($1, $2)
         ON CONFLICT (person_id) DO UPDATE SET password_hash = EXCLUDED.password_hash,
           password_changed_at = now(), status = 'active', must_change_password = false`,
        [id, passwordHash],
      );
    } else {
      await tx.query('DELETE FROM accounts WHERE person_id = $1', [id]);
    }
    if (t.dossier)
      await tx.query(
        `UPDATE dossier_members SET delegation = $2
          WHERE person_id = $1 AND dossier_id = (SELECT id FROM dossiers WHERE number = $3)`,
        [id, t.delegation, t.dossier],
      );
    await tx.query('DELETE FROM franceconnect_links WHERE person_id = $1', [id]);
    await tx.query(
      'UPDATE invitations SET expires_at = now() WHERE person_id = $1 AND used_at IS NULL AND expires_at > now()',
      [id],
    );
    await tx.query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = 'reinitialisation'
        WHERE person_id = $1 AND revoked_at IS NULL`,
      [id],
    );
    const before = current.rows[0];
    const subjects = [
      ...throttleSubjects({ nir, provisionalId: p.provisionalId ?? null }),
      ...(before
        ? throttleSubjects({ nir: before.nir, provisionalId: before.provisional_id })
        : []),
    ];
    await tx.query("DELETE FROM throttles WHERE scope = 'account' AND subject = ANY($1)", [
      subjects,
    ]);
    await alsoInTransaction?.(tx, id);
    return id;
  };
  return withTransaction(pool, run);
}
