import type { MemberRole } from '#src/domain/access.ts';
import type { PersonQuery } from '#src/domain/person-search.ts';
import type { Queryable } from '../pool.ts';

export interface FoundPerson {
  readonly id: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly birthdate: string;
  readonly nir: string | null;
  readonly provisionalId: string | null;
  readonly dossiers: readonly string[];
}

/** At most `limit` people (the caller asks one more to know there are others). */
export async function searchPersons(
  db: Queryable,
  q: PersonQuery,
  limit: number,
): Promise<FoundPerson[]> {
  const [where, params] = ((): [string, unknown[]] => {
    switch (q.kind) {
      case 'nir':
        return ['p.nir = $1', [q.nir]];
      case 'provisional':
        return ['p.provisional_id = $1', [q.provisionalId]];
      case 'allocataire':
        return [
          'p.id IN (SELECT m.person_id FROM dossier_members m JOIN dossiers d ON d.id = m.dossier_id WHERE d.number = $1)',
          [q.number],
        ];
      case 'name':
        return [
          '(lower(p.family_name) = lower($1) OR lower(p.birth_name) = lower($1)) AND p.birthdate = $2',
          [q.familyName, q.birthdate],
        ];
    }
  })();
  const r = await db.query<FoundPerson>(
    `SELECT p.id, p.given_name AS "givenName", p.family_name AS "familyName",
            to_char(p.birthdate, 'YYYY-MM-DD') AS birthdate, p.nir, p.provisional_id AS "provisionalId",
            COALESCE(array_agg(d.number ORDER BY d.number) FILTER (WHERE d.number IS NOT NULL), '{}') AS dossiers
       FROM persons p
       LEFT JOIN dossier_members m ON m.person_id = p.id
       LEFT JOIN dossiers d ON d.id = m.dossier_id
      WHERE ${where}
      GROUP BY p.id
      ORDER BY p.family_name, p.given_name, p.id
      LIMIT ${String(limit)}`,
    params,
  );
  return r.rows;
}

export interface SheetPerson {
  readonly id: string;
  readonly nir: string | null;
  readonly provisionalId: string | null;
  readonly givenName: string;
  readonly familyName: string;
  readonly birthName: string | null;
  readonly sex: number;
  readonly birthdate: string;
  readonly email: string | null;
  readonly emailVerifiedAt: Date | null;
  readonly phone: string | null;
  readonly phoneVerifiedAt: Date | null;
  readonly suspendedAt: Date | null;
  readonly hasAccount: boolean;
  readonly mustChangePassword: boolean;
  readonly passwordChangedAt: Date | null;
  readonly franceConnect: readonly string[];
}

export async function findSheetPerson(db: Queryable, id: string): Promise<SheetPerson | null> {
  const r = await db.query<SheetPerson>(
    `SELECT p.id, p.nir, p.provisional_id AS "provisionalId", p.given_name AS "givenName",
            p.family_name AS "familyName", p.birth_name AS "birthName", p.sex,
            to_char(p.birthdate, 'YYYY-MM-DD') AS birthdate, p.email,
            p.email_verified_at AS "emailVerifiedAt", p.phone, p.phone_verified_at AS "phoneVerifiedAt",
            p.suspended_at AS "suspendedAt", (a.person_id IS NOT NULL) AS "hasAccount",
            COALESCE(a.must_change_password, false) AS "mustChangePassword",
            a.password_changed_at AS "passwordChangedAt",
            COALESCE((SELECT array_agg(provider ORDER BY provider) FROM franceconnect_links f
                       WHERE f.person_id = p.id), '{}') AS "franceConnect"
       FROM persons p LEFT JOIN accounts a ON a.person_id = p.id
      WHERE p.id = $1`,
    [id],
  );
  return r.rows[0] ?? null;
}

export interface SheetMembership {
  readonly dossierId: string;
  readonly number: string;
  readonly role: MemberRole;
  readonly delegation: boolean;
  readonly address: string;
  readonly members: readonly {
    givenName: string;
    familyName: string;
    role: MemberRole;
    delegation: boolean;
  }[];
}

export async function sheetMemberships(
  db: Queryable,
  personId: string,
): Promise<SheetMembership[]> {
  const r = await db.query<SheetMembership>(
    `SELECT d.id AS "dossierId", d.number, m.role, m.delegation,
            concat_ws(', ', d.address_line1, d.address_line2, d.postcode || ' ' || d.city) AS address,
            (SELECT json_agg(json_build_object('givenName', p2.given_name, 'familyName', p2.family_name,
                                               'role', m2.role, 'delegation', m2.delegation)
                             ORDER BY m2.role, p2.birthdate)
               FROM dossier_members m2 JOIN persons p2 ON p2.id = m2.person_id
              WHERE m2.dossier_id = d.id) AS members
       FROM dossier_members m JOIN dossiers d ON d.id = m.dossier_id
      WHERE m.person_id = $1 ORDER BY m.role, d.number`,
    [personId],
  );
  return r.rows;
}

export interface ThrottleLine {
  readonly kind: string;
  readonly failures: number;
  readonly lockedUntil: Date | null;
}

export async function throttlesOf(
  db: Queryable,
  subjects: readonly string[],
): Promise<ThrottleLine[]> {
  const r = await db.query<ThrottleLine>(
    `SELECT kind, failures, locked_until AS "lockedUntil" FROM throttles
      WHERE scope = 'account' AND subject = ANY($1) AND failures > 0 ORDER BY kind`,
    [subjects],
  );
  return r.rows;
}

export async function clearThrottlesOf(
  db: Queryable,
  subjects: readonly string[],
): Promise<number> {
  const r = await db.query("DELETE FROM throttles WHERE scope = 'account' AND subject = ANY($1)", [
    subjects,
  ]);
  return r.rowCount ?? 0;
}

export async function recentDemarchesOf(
  db: Queryable,
  personId: string,
  limit: number,
): Promise<{ kind: string; status: string; createdAt: Date; number: string }[]> {
  const r = await db.query<{ kind: string; status: string; createdAt: Date; number: string }>(
    `SELECT x.kind, x.status, x.created_at AS "createdAt", d.number
       FROM demarches x JOIN dossiers d ON d.id = x.dossier_id
      WHERE x.dossier_id IN (SELECT dossier_id FROM dossier_members WHERE person_id = $1)
      ORDER BY x.created_at DESC LIMIT $2`,
    [personId, limit],
  );
  return r.rows;
}

export interface AccessLine {
  readonly at: Date;
  readonly who: 'personne' | 'agent';
  readonly agentName: string | null;
  readonly reason: string | null;
  readonly categories: readonly string[];
  readonly route: string;
}

/** The person's own reads and the agents' consultations of their file, newest first. */
export async function recentAccessOf(
  db: Queryable,
  personId: string,
  limit: number,
): Promise<AccessLine[]> {
  const r = await db.query<AccessLine>(
    `(SELECT at, 'personne' AS who, NULL AS "agentName", NULL AS reason, categories, route
        FROM access_log WHERE person_id = $1 ORDER BY at DESC LIMIT $2)
     UNION ALL
     (SELECT l.at, 'agent', a.given_name || ' ' || upper(a.family_name), l.reason, l.categories, l.route
        FROM agent_access_log l JOIN agents a ON a.id = l.agent_id
       WHERE l.person_id = $1 ORDER BY l.at DESC LIMIT $2)
     ORDER BY at DESC LIMIT $2`,
    [personId, limit],
  );
  return r.rows;
}

export async function setSuspended(db: Queryable, personId: string, on: boolean): Promise<boolean> {
  const r = await db.query(
    on
      ? 'UPDATE persons SET suspended_at = now() WHERE id = $1 AND suspended_at IS NULL'
      : 'UPDATE persons SET suspended_at = NULL WHERE id = $1 AND suspended_at IS NOT NULL',
    [personId],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function setMustChangePassword(db: Queryable, personId: string): Promise<boolean> {
  const r = await db.query(
    'UPDATE accounts SET must_change_password = true WHERE person_id = $1 AND NOT must_change_password',
    [personId],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function isSuspended(db: Queryable, personId: string): Promise<boolean> {
  const r = await db.query<{ suspended: boolean }>(
    'SELECT suspended_at IS NOT NULL AS suspended FROM persons WHERE id = $1',
    [personId],
  );
  return r.rows[0]?.suspended ?? false;
}

/** An agent forced a new password at the next login (cleared when one is set). */
export async function mustChangePassword(db: Queryable, personId: string): Promise<boolean> {
  const r = await db.query<{ must: boolean }>(
    'SELECT must_change_password AS must FROM accounts WHERE person_id = $1',
    [personId],
  );
  return r.rows[0]?.must ?? false;
}

/** The dossier a letter to this person goes to: the one where their role comes first. */
export async function letterDossierOf(
  db: Queryable,
  personId: string,
): Promise<{ readonly id: string; readonly number: string; readonly address: string } | null> {
  const r = await db.query<{ id: string; number: string; address: string }>(
    `SELECT d.id, d.number,
            concat_ws(E'\\n', d.address_line1, nullif(d.address_line2, ''), d.postcode || ' ' || d.city) AS address
       FROM dossier_members m JOIN dossiers d ON d.id = m.dossier_id
      WHERE m.person_id = $1 ORDER BY m.role, d.number LIMIT 1`,
    [personId],
  );
  return r.rows[0] ?? null;
}
