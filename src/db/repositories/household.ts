import type { MemberRole } from '#src/domain/access.ts';
import type { Queryable } from '../pool.ts';

export interface HouseholdMember {
  readonly personId: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly birthdate: string;
  readonly nir: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly role: MemberRole;
  readonly delegation: boolean;
  readonly hasAccount: boolean;
  /** The newest invitation still waiting to be used, if any. */
  readonly invitedAt: Date | null;
  readonly invitationChannel: string | null;
}

/** The members of a dossier, with account and invitation status. */
export async function listHousehold(
  db: Queryable,
  dossierId: string,
  now: Date,
): Promise<HouseholdMember[]> {
  const r = await db.query<HouseholdMember>(householdSql('$1', '$2'), [dossierId, now]);
  return r.rows;
}

/** The same query over SQL expressions: also « Mon foyer »' statement's part (ADR 0014). */
export const householdSql = (dossier: string, now: string): string =>
  `SELECT p.id AS "personId", p.given_name AS "givenName", p.family_name AS "familyName",
          p.birthdate, p.nir, p.email, p.phone, m.role, m.delegation,
          (a.person_id IS NOT NULL) AS "hasAccount",
          i.created_at AS "invitedAt", i.channel AS "invitationChannel"
     FROM dossier_members m
     JOIN persons p ON p.id = m.person_id
     LEFT JOIN accounts a ON a.person_id = p.id
     LEFT JOIN LATERAL (
       SELECT created_at, channel FROM invitations
        WHERE person_id = p.id AND dossier_id = m.dossier_id AND used_at IS NULL
          AND expires_at > ${now}
        ORDER BY created_at DESC LIMIT 1
     ) i ON true
    WHERE m.dossier_id = ${dossier}
    ORDER BY m.role, p.birthdate`;

export async function setDelegation(
  db: Queryable,
  dossierId: string,
  personId: string,
  delegation: boolean,
): Promise<void> {
  await db.query(
    'UPDATE dossier_members SET delegation = $3 WHERE dossier_id = $1 AND person_id = $2',
    [dossierId, personId, delegation],
  );
}

export interface AuditEntry {
  readonly actorPersonId: string | null;
  readonly action: string;
  readonly dossierId: string | null;
  readonly targetPersonId: string | null;
  readonly details?: Readonly<Record<string, unknown>>;
}

export async function recordAudit(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor_person_id, action, dossier_id, target_person_id, details)
     VALUES ($1, $2, $3, $4, $5)`,
    [e.actorPersonId, e.action, e.dossierId, e.targetPersonId, JSON.stringify(e.details ?? {})],
  );
}

/** Records a démarche once per idempotency key; returns false when it already existed. */
export async function insertDemarche(
  db: Queryable,
  d: {
    dossierId: string;
    authorPersonId: string;
    kind: 'separation';
    details: Record<string, unknown>;
    idempotencyKey: string;
  },
): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO demarches (dossier_id, author_person_id, kind, details, idempotency_key)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING`,
    [d.dossierId, d.authorPersonId, d.kind, JSON.stringify(d.details), d.idempotencyKey],
  );
  return (r.rowCount ?? 0) > 0;
}

export interface DemarcheRow {
  readonly kind: 'separation';
  /** The date the démarche declares (JJ/MM/AAAA shown), from its details. */
  readonly date: string | null;
  readonly createdAt: Date;
}

/** The dossier's démarches still under study by the Caf, newest first. */
export async function openDemarches(db: Queryable, dossierId: string): Promise<DemarcheRow[]> {
  const r = await db.query<DemarcheRow>(openDemarchesSql('$1'), [dossierId]);
  return r.rows;
}

/** The same query over an SQL expression: also a page statement's part (ADR 0014). */
export const openDemarchesSql = (dossier: string): string =>
  `SELECT kind, details->>'date' AS date, created_at AS "createdAt"
     FROM demarches WHERE dossier_id = ${dossier} AND status IN ('envoyee', 'en-cours')
    ORDER BY created_at DESC LIMIT 10`;
