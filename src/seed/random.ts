import { randomInt, randomUUID } from 'node:crypto';
import { withTransaction, type Pool } from '#src/db/pool.ts';
import { frenchIban } from '#src/domain/iban.ts';
import { makeNir } from '#src/domain/nir.ts';
import { PAYMENT_MONTHS } from '#src/domain/payments.ts';

/** The password of every account of the random households, documented in the README. */
export const RANDOM_PASSWORD = 'Aleatoire-2026';

const GIVEN = {
  1: [
    'Lucas',
    'Hugo',
    'Louis',
    'Gabriel',
    'Arthur',
    'Jules',
    'Adam',
    'Raphaël',
    'Nathan',
    'Mohamed',
    'Paul',
    'Théo',
    'Yanis',
    'Sacha',
    'Thomas',
    'Nicolas',
    'Olivier',
    'Mathieu',
  ],
  2: [
    'Emma',
    'Jade',
    'Louise',
    'Alice',
    'Chloé',
    'Lina',
    'Rose',
    'Léa',
    'Anna',
    'Inès',
    'Manon',
    'Sarah',
    'Julie',
    'Camille',
    'Aïcha',
    'Nadia',
    'Isabelle',
    'Sandrine',
  ],
} as const;
const FAMILY = [
  'Martin',
  'Bernard',
  'Thomas',
  'Petit',
  'Robert',
  'Richard',
  'Durand',
  'Dubois',
  'Moreau',
  'Laurent',
  'Simon',
  'Michel',
  'Lefebvre',
  'Leroy',
  'Roux',
  'David',
  'Bertrand',
  'Morel',
  'Fournier',
  'Girard',
  'Bonnet',
  'Dupont',
  'Lambert',
  'Fontaine',
  'Rousseau',
  'Vincent',
  'Muller',
  'Lefèvre',
  'Faure',
  'Andre',
  'Mercier',
  'Blanc',
  'Guerin',
  'Boyer',
  'Garnier',
  'Chevalier',
  'Francois',
  'Legrand',
  'Gauthier',
  'Garcia',
  'Perrin',
  'Robin',
  'Clement',
  'Morin',
  'Nicolas',
  'Henry',
  'Roussel',
  'Mathieu',
  'Gautier',
  'Masson',
  'Nguyen',
  'Benali',
  'Diallo',
  'Haddad',
];
const STREETS = [
  'rue de la République',
  'avenue Victor Hugo',
  'rue Jean Jaurès',
  'boulevard Pasteur',
  'place de la Mairie',
  'rue des Écoles',
  'allée des Tilleuls',
  'impasse du Moulin',
];
const CITIES = [
  ['75011', 'Paris'],
  ['69003', 'Lyon'],
  ['13001', 'Marseille'],
  ['31000', 'Toulouse'],
  ['06000', 'Nice'],
  ['44000', 'Nantes'],
  ['67000', 'Strasbourg'],
  ['34000', 'Montpellier'],
  ['33000', 'Bordeaux'],
  ['97400', 'Saint-Denis'],
] as const;

function pick<T>(items: readonly T[]): T {
  const item = items[randomInt(items.length)];
  if (item === undefined) throw new RangeError('empty list');
  return item;
}

export interface RandomAdult {
  readonly personId: string;
  readonly nir: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly dossierNumber: string;
  readonly role: 'allocataire' | 'conjoint';
}

interface PersonRec {
  id: string;
  nir: string;
  given: string;
  family: string;
  sex: 1 | 2;
  birthdate: string;
}

function randomPerson(family: string, sex: 1 | 2, year: number): PersonRec {
  const month = randomInt(1, 13);
  const day = randomInt(1, 29);
  const department = String(randomInt(1, 96)).padStart(2, '0');
  const nir = makeNir({
    sex,
    birthYear: year,
    birthMonth: month,
    department: department === '20' ? '2A' : department,
    commune: String(randomInt(1, 990)).padStart(3, '0'),
    order: randomInt(1, 1000),
  }).value;
  return {
    id: randomUUID(),
    nir,
    given: pick(GIVEN[sex]),
    family,
    sex,
    birthdate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
  };
}

interface PaymentStream {
  readonly dossier: string;
  readonly benefit: string;
  /** Monthly amount in cents before and after a change `changeAgo` months ago (24: none). */
  readonly before: number;
  readonly after: number;
  readonly changeAgo: number;
}

/** What a random household is paid: housing aid, family allowances from two children, RSA or PPA. */
function paymentStreams(dossier: string, situation: string, children: number): PaymentStream[] {
  const steady = (benefit: string, cents: number): PaymentStream => ({
    dossier,
    benefit,
    before: cents,
    after: cents,
    changeAgo: PAYMENT_MONTHS,
  });
  const apl = randomInt(9000, 35000);
  const streams: PaymentStream[] = [
    // Housing aid is recomputed on new resources: a change somewhere in the 24 months.
    {
      dossier,
      benefit: 'Aide personnalisée au logement',
      before: apl,
      after: apl + randomInt(-4000, 4000),
      changeAgo: randomInt(1, 23),
    },
  ];
  if (children >= 2) streams.push(steady('Allocations familiales', children >= 3 ? 34560 : 15105));
  if (situation === 'Célibataire' && randomInt(2) === 0) {
    streams.push({
      dossier,
      benefit: 'Revenu de solidarité active',
      before: 63571,
      after: 64652,
      changeAgo: 7,
    });
  } else if (randomInt(3) === 0) {
    streams.push(steady('Prime d’activité', randomInt(5000, 25000)));
  }
  return streams;
}

const BATCH = 250;

/**
 * Adds `count` random households: an allocataire, often a conjoint (both with accounts sharing
 * one precomputed hash), and 0–3 children. Batched multi-row inserts, one transaction a batch.
 */
export async function seedRandomHouseholds(
  pool: Pool,
  options: { count: number; passwordHash: string; onProgress?: (done: number) => void },
): Promise<RandomAdult[]> {
  const adults: RandomAdult[] = [];
  let done = 0;
  while (done < options.count) {
    const size = Math.min(BATCH, options.count - done);
    adults.push(...(await insertBatch(pool, size, options.passwordHash)));
    done += size;
    options.onProgress?.(done);
  }
  return adults;
}

async function insertBatch(
  pool: Pool,
  size: number,
  passwordHash: string,
  attempt = 0,
): Promise<RandomAdult[]> {
  try {
    return await withTransaction(pool, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(4242003)');
      const top = await tx.query<{ n: number }>(
        "SELECT coalesce(max(number::int), 7999999)::int AS n FROM dossiers WHERE number >= '8000000'",
      );
      let next = (top.rows[0]?.n ?? 7_999_999) + 1;
      const persons: PersonRec[] = [];
      const accounts: string[] = [];
      const dossiers: {
        id: string;
        number: string;
        street: string;
        postcode: string;
        city: string;
        situation: string;
      }[] = [];
      const members: { dossier: string; person: string; role: string }[] = [];
      const childrenOf = (dossier: string) =>
        members.filter((m) => m.dossier === dossier && m.role === 'enfant').length;
      const adults: RandomAdult[] = [];
      for (let i = 0; i < size; i++) {
        const family = pick(FAMILY);
        const number = String(next++);
        const [postcode, city] = pick(CITIES);
        const couple = randomInt(10) < 6;
        const dossier = {
          id: randomUUID(),
          number,
          street: `${randomInt(1, 200)} ${pick(STREETS)}`,
          postcode,
          city,
          situation: couple ? pick(['Marié(e)s', 'Pacsé(e)s', 'Vie maritale']) : 'Célibataire',
        };
        dossiers.push(dossier);
        const parentYear = randomInt(1965, 2001);
        const first = randomPerson(family, randomInt(10) < 7 ? 2 : 1, parentYear);
        const adultsHere: [PersonRec, 'allocataire' | 'conjoint'][] = [[first, 'allocataire']];
        if (couple)
          adultsHere.push([
            randomPerson(family, first.sex === 1 ? 2 : 1, parentYear + randomInt(-3, 4)),
            'conjoint',
          ]);
        for (const [p, role] of adultsHere) {
          persons.push(p);
          accounts.push(p.id);
          members.push({ dossier: dossier.id, person: p.id, role });
          adults.push({
            personId: p.id,
            nir: p.nir,
            givenName: p.given,
            familyName: p.family,
            dossierNumber: number,
            role,
          });
        }
        for (let c = randomInt(4); c > 0; c--) {
          const child = randomPerson(
            family,
            randomInt(2) === 0 ? 1 : 2,
            Math.min(2025, parentYear + 20 + randomInt(15)),
          );
          persons.push(child);
          members.push({ dossier: dossier.id, person: child.id, role: 'enfant' });
        }
      }
      await tx.query(
        `INSERT INTO dossiers (id, number, address_line1, postcode, city, family_situation, iban, bic)
         SELECT id, number, street, postcode, city, situation, iban, 'AGRIFRPPXXX'
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
                AS t(id, number, street, postcode, city, situation, iban)`,
        [
          dossiers.map((d) => d.id),
          dossiers.map((d) => d.number),
          dossiers.map((d) => d.street),
          dossiers.map((d) => d.postcode),
          dossiers.map((d) => d.city),
          dossiers.map((d) => d.situation),

          dossiers.map((d) => frenchIban(`30006000010000${d.number}00`)),
        ],
      );
      await tx.query(
        `INSERT INTO persons (id, nir, given_name, family_name, birth_name, sex, birthdate)
         SELECT id, nir, given, family, family, sex, birthdate
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::date[])
                AS t(id, nir, given, family, sex, birthdate)`,
        [
          persons.map((p) => p.id),
          persons.map((p) => p.nir),
          persons.map((p) => p.given),
          persons.map((p) => p.family),
          persons.map((p) => p.sex),
          persons.map((p) => p.birthdate),
        ],
      );
      await tx.query(
        `INSERT INTO accounts (person_id, password_hash) SELECT id, $2 FROM unnest($1::uuid[]) AS t(id)`,
        [accounts, passwordHash],
      );
      // Account holders have been through their first connection: a validated e-mail.
      await tx.query(
        `UPDATE persons SET email = 'personne.' || left(id::text, 8) || '@example.org', email_verified_at = now()
          WHERE id = ANY($1::uuid[])`,
        [accounts],
      );
      await tx.query(
        `INSERT INTO dossier_members (dossier_id, person_id, role)
         SELECT d, p, r::member_role FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS t(d, p, r)`,
        [members.map((m) => m.dossier), members.map((m) => m.person), members.map((m) => m.role)],
      );
      const streams = dossiers.flatMap((d) => paymentStreams(d.id, d.situation, childrenOf(d.id)));
      // 24 months of every stream in one statement: paid on the 5th for the month before.
      await tx.query(
        `INSERT INTO payments (dossier_id, paid_on, benefit, period, period_start, period_end,
                               gross_cents, amount_cents, iban)
         SELECT s.dossier, m.paid_on, s.benefit, to_char(m.period_start, 'MM/YYYY'), m.period_start,
                (m.period_start + interval '1 month' - interval '1 day')::date,
                CASE WHEN k > s.change_ago THEN s.before ELSE s.after END,
                CASE WHEN k > s.change_ago THEN s.before ELSE s.after END, d.iban
           FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::int[])
                  AS s(dossier, benefit, before, after, change_ago)
           JOIN dossiers d ON d.id = s.dossier
           CROSS JOIN generate_series(0, $6::int - 1) AS k
           CROSS JOIN LATERAL (
             SELECT (date_trunc('month', $7::date) - make_interval(months => k))::date + 4 AS paid_on,
                    (date_trunc('month', $7::date) - make_interval(months => k + 1))::date AS period_start
           ) m
          WHERE m.paid_on <= $7::date`,
        [
          streams.map((x) => x.dossier),
          streams.map((x) => x.benefit),
          streams.map((x) => x.before),
          streams.map((x) => x.after),
          streams.map((x) => x.changeAgo),
          PAYMENT_MONTHS,
          new Date().toISOString().slice(0, 10),
        ],
      );
      // One letter or two per household (by the id's first byte), to the household, unread.
      await tx.query(
        `INSERT INTO letters (dossier_id, sent_on, subject, body)
         SELECT id, date '2026-10-06' - make_interval(months => 3 * k),
                (ARRAY['Vos droits aux allocations familiales', 'Votre situation a été mise à jour'])[k + 1],
                E'Madame, Monsieur,\n\nVos droits ont été réexaminés : le montant de vos allocations familiales est maintenu.'
           FROM unnest($1::uuid[]) AS t(id)
           CROSS JOIN LATERAL generate_series(0, get_byte(uuid_send(id), 0) % 2) AS k`,
        [dossiers.map((d) => d.id)],
      );
      return adults;
    });
  } catch (error) {
    // A random NIR can, rarely, collide with an existing one: draw the batch again.
    if (
      attempt < 3 &&
      typeof error === 'object' &&
      error !== null &&
      'code' in error &&
      error.code === '23505'
    ) {
      return insertBatch(pool, size, passwordHash, attempt + 1);
    }
    throw error;
  }
}
