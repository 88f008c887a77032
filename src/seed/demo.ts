import { withTransaction, type Pool, type Queryable } from '#src/db/pool.ts';
import type { MemberRole } from '#src/domain/access.ts';
import type { AgentRole } from '#src/domain/agent-access.ts';
import { makeNir } from '#src/domain/nir.ts';
import type { PasswordHasher } from '#src/services/password-hasher.ts';
import { demoContentSeeders, type DemoIds } from './demo-content.ts';

/** The documented JSON shape of `npm run seed -- --json` (docs/design.md §8). */
export interface Persona {
  readonly key: string;
  readonly role: MemberRole | 'primo-demandeur' | 'agent';
  readonly nir: string | null;
  readonly provisionalId: string | null;
  readonly password: string | null;
  readonly allocataireNumber: string | null;
  readonly legacyPassword: string | null;
  readonly migrated: boolean | null;
  readonly givenName: string;
  readonly familyName: string;
  readonly birthdate: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly dossier: string | null;
  readonly delegation: boolean | null;
  readonly hasAccount: boolean;
}

export interface DemoPerson {
  readonly key: string;
  readonly sex: 1 | 2;
  readonly givenName: string;
  readonly familyName: string;
  readonly birthdate: string;
  readonly birthplace: {
    readonly department: string;
    readonly commune: string;
    readonly label: string;
  };
  readonly order: number;
  readonly provisionalId?: string;
  readonly email?: string;
  readonly phone?: string;
  /** Present when the person has a personal web account. */
  readonly password?: string;
}

interface DemoMember extends DemoPerson {
  readonly role: MemberRole;
  readonly delegation?: boolean;
  /** Whether this person knows the old household password (allocataire, or a conjoint told of it). */
  readonly knowsLegacyPassword?: boolean;
}

interface DemoDossier {
  readonly number: string;
  readonly address: readonly [string, string | null, string, string];
  readonly familySituation: string;
  readonly legacyPassword: string;
  readonly iban: string;
  readonly bic: string;
  readonly members: readonly DemoMember[];
}

const PARIS = { department: '75', commune: '114', label: 'Paris 14e Arrondissement' };
const LYON = { department: '69', commune: '123', label: 'Lyon' };
const LILLE = { department: '59', commune: '350', label: 'Lille' };
const MARSEILLE = { department: '13', commune: '055', label: 'Marseille' };
const RENNES = { department: '35', commune: '238', label: 'Rennes' };
const AJACCIO = { department: '2A', commune: '004', label: 'Ajaccio' };
const SAINT_DENIS_REUNION = { department: '974', commune: '11', label: 'Saint-Denis (La Réunion)' };

export const demoDossiers: readonly DemoDossier[] = [
  {
    number: '1234567',
    address: ['12 rue des Lilas', 'Bâtiment B, 3e étage', '75014', 'Paris'],
    familySituation: 'Marié(e)s',
    legacyPassword: '30517264',
    iban: 'FR7630006000011234567890189',
    bic: 'AGRIFRPPXXX',
    members: [
      {
        key: 'allocataire-migre',
        role: 'allocataire',
        sex: 2,
        givenName: 'Camille',
        familyName: 'Martin',
        birthdate: '1985-03-12',
        birthplace: PARIS,
        order: 123,
        email: 'camille.martin@example.fr',
        phone: '06 12 34 56 78',
        password: 'Lilas-Paris-2026',
        knowsLegacyPassword: true,
      },
      {
        key: 'conjoint-sans-delegation',
        role: 'conjoint',
        sex: 1,
        givenName: 'Julien',
        familyName: 'Martin',
        birthdate: '1983-11-02',
        birthplace: LYON,
        order: 45,
        email: 'julien.martin@example.fr',
        phone: '06 23 45 67 89',
        password: 'Rhone-Lyon-1983',
      },
      {
        key: 'enfant-16',
        role: 'enfant',
        sex: 2,
        givenName: 'Léa',
        familyName: 'Martin',
        birthdate: '2010-05-14',
        birthplace: PARIS,
        order: 311,
      },
      {
        key: 'enfant-10',
        role: 'enfant',
        sex: 1,
        givenName: 'Hugo',
        familyName: 'Martin',
        birthdate: '2016-02-03',
        birthplace: PARIS,
        order: 87,
      },
    ],
  },
  {
    number: '2345678',
    address: ['5 place du Théâtre', null, '59800', 'Lille'],
    familySituation: 'Pacsé(e)s',
    legacyPassword: '48201736',
    iban: 'FR4210278000011111222233344',
    bic: 'CMCIFR2AXXX',
    members: [
      {
        key: 'allocataire-non-migre',
        role: 'allocataire',
        sex: 2,
        givenName: 'Nathalie',
        familyName: 'Dubois',
        birthdate: '1979-07-21',
        birthplace: LILLE,
        order: 502,
        email: 'nathalie.dubois@example.fr',
        phone: '06 34 56 78 90',
        knowsLegacyPassword: true,
      },
      {
        key: 'conjoint-non-migre',
        role: 'conjoint',
        sex: 1,
        givenName: 'Karim',
        familyName: 'Dubois',
        birthdate: '1977-01-30',
        birthplace: MARSEILLE,
        order: 218,
        email: 'karim.dubois@example.fr',
        phone: '06 45 67 89 01',
        knowsLegacyPassword: true,
      },
      {
        key: 'enfant-dubois',
        role: 'enfant',
        sex: 1,
        givenName: 'Nolan',
        familyName: 'Dubois',
        birthdate: '2014-09-09',
        birthplace: LILLE,
        order: 640,
      },
    ],
  },
  {
    number: '3456789',
    address: ['27 boulevard de la Corderie', null, '13007', 'Marseille'],
    familySituation: 'Vie maritale',
    legacyPassword: '71940385',
    iban: 'FR7611315000011234567890138',
    bic: 'CEPAFRPP131',
    members: [
      {
        key: 'allocataire-leroy',
        role: 'allocataire',
        sex: 2,
        givenName: 'Sophie',
        familyName: 'Leroy',
        birthdate: '1990-10-08',
        birthplace: AJACCIO,
        order: 19,
        email: 'sophie.leroy@example.fr',
        phone: '06 56 78 90 12',
        password: 'Corderie-13-Mer',
      },
      {
        key: 'conjoint-avec-delegation',
        role: 'conjoint',
        sex: 1,
        givenName: 'Antoine',
        familyName: 'Leroy',
        birthdate: '1988-04-17',
        birthplace: MARSEILLE,
        order: 733,
        email: 'antoine.leroy@example.fr',
        phone: '06 67 89 01 23',
        password: 'Delegation-2026',
        delegation: true,
      },
      {
        key: 'enfant-leroy',
        role: 'enfant',
        sex: 2,
        givenName: 'Jade',
        familyName: 'Leroy',
        birthdate: '2024-12-01',
        birthplace: MARSEILLE,
        order: 904,
      },
    ],
  },
  {
    number: '4567890',
    address: ['8 allée Jean Jaurès', null, '31000', 'Toulouse'],
    familySituation: 'Célibataire',
    legacyPassword: '60428157',
    iban: 'FR9313106005002000123456789',
    bic: 'AGRIFRPP831',
    members: [
      {
        key: 'identifiant-provisoire',
        role: 'allocataire',
        sex: 1,
        givenName: 'Amadou',
        familyName: 'Diallo',
        birthdate: '1995-06-25',
        birthplace: { department: '99', commune: '341', label: 'Sénégal' },
        order: 1,
        provisionalId: 'P2026004817',
        email: 'amadou.diallo@example.fr',
        phone: '06 78 90 12 34',
        password: 'Provisoire-31-Ok',
      },
    ],
  },
  {
    number: '5678901',
    address: ['3 rue de la Monnaie', null, '35000', 'Rennes'],
    familySituation: 'Célibataire',
    legacyPassword: '25836914',
    iban: 'FR8314445004000123456789012',
    bic: 'CEPAFRPP444',
    members: [
      {
        key: 'foyer-sans-lien',
        role: 'allocataire',
        sex: 2,
        givenName: 'Marie',
        familyName: 'Petit',
        birthdate: '1992-02-29',
        birthplace: SAINT_DENIS_REUNION,
        order: 257,
        email: 'marie.petit@example.fr',
        phone: '06 89 01 23 45',
        password: 'Monnaie-Rennes-35',
      },
      {
        key: 'enfant-petit',
        role: 'enfant',
        sex: 1,
        givenName: 'Enzo',
        familyName: 'Petit',
        birthdate: '2018-08-15',
        birthplace: RENNES,
        order: 128,
      },
    ],
  },
];

export const demoPrimoDemandeur: DemoPerson = {
  key: 'primo-demandeur',
  sex: 2,
  givenName: 'Inès',
  familyName: 'Benali',
  birthdate: '2001-12-03',
  birthplace: LYON,
  order: 666,
  email: 'ines.benali@example.fr',
  phone: '07 12 34 56 78',
  password: 'Premiere-Demande-1',
};

export const demoAgent = {
  key: 'agent',
  login: 'agent.demo',
  givenName: 'Claire',
  familyName: 'Fontaine',
  password: 'Agent-Caf-2026',
} as const;

/** The documented shape of `agents` in `npm run seed -- --json` (issue 9). */
export interface DemoAgent {
  readonly login: string;
  readonly password: string;
  readonly totpSecret: string;
  readonly role: AgentRole;
  readonly givenName: string;
  readonly familyName: string;
}

/**
 * One agent of each role, with fixed development credentials and TOTP secrets (base32, 20 bytes),
 * already enrolled: a development authenticator app, or otplib in a test, computes the codes.
 * Claire (the demo agent of the personas list) is the conseillère. Never seeded in production.
 */
export const demoAgents: readonly DemoAgent[] = [
  {
    login: demoAgent.login,
    password: demoAgent.password,
    totpSecret: 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU',
    role: 'conseiller',
    givenName: demoAgent.givenName,
    familyName: demoAgent.familyName,
  },
  {
    login: 'testeur.demo',
    password: 'Testeur-Caf-2026',
    totpSecret: 'ORSXG5DFOVZGIZLNN5SXG5DFOVZGIZLN',
    role: 'testeur',
    givenName: 'Hugo',
    familyName: 'Bernard',
  },
  {
    login: 'superviseur.demo',
    password: 'Superviseur-Caf-2026',
    totpSecret: 'ON2XAZLSOZUXGZLVOJSGK3LPON2XAZLS',
    role: 'superviseur',
    givenName: 'Aïcha',
    familyName: 'Diallo',
  },
];

/**
 * The demo agents, once each (by login): a database seeded before the console gets them on the
 * next seed, Claire included (her row gains a role and a TOTP secret).
 */
export async function seedDemoAgents(db: Queryable, hasher: PasswordHasher): Promise<void> {
  for (const a of demoAgents) {
    await db.query(
      `INSERT INTO agents (login, password_hash, given_name, family_name, role, totp_secret, totp_enrolled_at)
       VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (login) DO UPDATE SET role = EXCLUDED.role, totp_secret = EXCLUDED.totp_secret,
                                         totp_enrolled_at = EXCLUDED.totp_enrolled_at
        WHERE agents.totp_secret IS NULL`,
      [a.login, await hasher.hash(a.password), a.givenName, a.familyName, a.role, a.totpSecret],
    );
  }
}

export function nirOf(p: DemoPerson): string | null {
  if (p.provisionalId) return null;
  const [y, m] = p.birthdate.split('-').map(Number);
  return makeNir({
    sex: p.sex,
    birthYear: y ?? 0,
    birthMonth: m ?? 0,
    department: p.birthplace.department,
    commune: p.birthplace.commune,
    order: p.order,
  }).value;
}

export function demoPersonas(): Persona[] {
  const personas: Persona[] = [];
  for (const d of demoDossiers) {
    for (const m of d.members) {
      personas.push({
        key: m.key,
        role: m.role,
        nir: nirOf(m),
        provisionalId: m.provisionalId ?? null,
        password: m.password ?? null,
        allocataireNumber: d.number,
        legacyPassword: m.knowsLegacyPassword ? d.legacyPassword : null,
        migrated: m.password !== undefined,
        givenName: m.givenName,
        familyName: m.familyName,
        birthdate: m.birthdate,
        email: m.email ?? null,
        phone: m.phone ?? null,
        dossier: d.number,
        delegation: m.delegation ?? false,
        hasAccount: m.password !== undefined,
      });
    }
  }
  const p = demoPrimoDemandeur;
  personas.push({
    key: p.key,
    role: 'primo-demandeur',
    nir: nirOf(p),
    provisionalId: null,
    password: p.password ?? null,
    allocataireNumber: null,
    legacyPassword: null,
    migrated: null,
    givenName: p.givenName,
    familyName: p.familyName,
    birthdate: p.birthdate,
    email: p.email ?? null,
    phone: p.phone ?? null,
    dossier: null,
    delegation: null,
    hasAccount: true,
  });
  const a = demoAgent;
  personas.push({
    key: a.key,
    role: 'agent',
    nir: null,
    provisionalId: null,
    password: a.password,
    allocataireNumber: null,
    legacyPassword: null,
    migrated: null,
    givenName: a.givenName,
    familyName: a.familyName,
    birthdate: '1980-01-01',
    email: null,
    phone: null,
    dossier: null,
    delegation: null,
    hasAccount: true,
  });
  return personas;
}

/** Loads the demo set once; a second run finds it and changes nothing. */
export async function seedDemo(
  pool: Pool,
  hasher: PasswordHasher,
  options: { agents: boolean } = { agents: true },
): Promise<{ created: boolean }> {
  const first = demoDossiers[0];
  if (!first) return { created: false };
  const existing = await pool.query('SELECT 1 FROM dossiers WHERE number = $1', [first.number]);
  if (existing.rowCount) return { created: false };

  return withTransaction(pool, async (tx) => {
    // Serialises two seeds started at once (npm start and npm run seed).
    await tx.query('SELECT pg_advisory_xact_lock(4242002)');
    const again = await tx.query('SELECT 1 FROM dossiers WHERE number = $1', [first.number]);
    if (again.rowCount) return { created: false };

    const insertPerson = async (p: DemoPerson): Promise<string> => {
      const r = await tx.query<{ id: string }>(
        `INSERT INTO persons (nir, provisional_id, given_name, family_name, birth_name, sex, birthdate,
                              birth_place, birth_country, email, phone, email_verified_at)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
        [
          nirOf(p),
          p.provisionalId ?? null,
          p.givenName,
          p.familyName,
          p.sex,
          p.birthdate,
          p.birthplace.department === '99' ? null : p.birthplace.label,
          p.birthplace.department === '99' ? p.birthplace.label : 'France',
          p.email ?? null,
          p.phone ?? null,
          // Migrated personas validated their e-mail at their first connection.
          p.password && p.email ? new Date() : null,
        ],
      );
      const id = r.rows[0]?.id;
      if (!id) throw new Error('insert returned no id');
      if (p.password) {
        await tx.query('INSERT INTO accounts (person_id, password_hash) VALUES ($1, $2)', [
          id,
          await hasher.hash(p.password),
        ]);
      }
      return id;
    };

    const ids: DemoIds = { persons: new Map(), dossiers: new Map() };
    for (const d of demoDossiers) {
      const r = await tx.query<{ id: string }>(
        `INSERT INTO dossiers (number, address_line1, address_line2, postcode, city, family_situation,
                               legacy_password_hash, iban, bic)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          d.number,
          ...d.address,
          d.familySituation,
          await hasher.hash(d.legacyPassword),
          d.iban,
          d.bic,
        ],
      );
      const dossierId = r.rows[0]?.id;
      if (!dossierId) throw new Error('insert returned no id');
      ids.dossiers.set(d.number, dossierId);
      for (const m of d.members) {
        const personId = await insertPerson(m);
        ids.persons.set(m.key, personId);
        await tx.query(
          'INSERT INTO dossier_members (dossier_id, person_id, role, delegation) VALUES ($1, $2, $3, $4)',
          [dossierId, personId, m.role, m.delegation ?? false],
        );
      }
    }
    ids.persons.set(demoPrimoDemandeur.key, await insertPerson(demoPrimoDemandeur));
    for (const seedContent of demoContentSeeders) await seedContent(tx, ids);
    if (options.agents) await seedDemoAgents(tx, hasher);
    return { created: true };
  });
}
