import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { isConnectionError } from '#src/connection-errors.ts';
import type { Pool } from '#src/db/pool.ts';
import { frenchIban } from '#src/domain/iban.ts';
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

// Test data, not secrets: Math.random is ten times faster than crypto's randomInt, which
// matters at a million households (issue 12).
/** An integer in [0, n). */
function rnd(n: number): number {
  return Math.floor(Math.random() * n);
}

/** An integer in [min, max), as crypto's randomInt(min, max). */
function between(min: number, max: number): number {
  return min + rnd(max - min);
}

function pick<T>(items: readonly T[]): T {
  const item = items[rnd(items.length)];
  if (item === undefined) throw new RangeError('empty list');
  return item;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * Ids in creation order, laid out as UUIDv7 (milliseconds at the start of the run, a counter,
 * then 40 random bits): every index on them grows at its right edge instead of at random places,
 * which keeps a million-household seeding in memory rather than on the disk (issue 12).
 */
function idGenerator(): () => string {
  const time = hex(Date.now(), 12);
  const prefix = `${time.slice(0, 8)}-${time.slice(8)}-7`;
  let counter = 0;
  // Random hex digits drawn 64 KB at a time: a number's toString(16) per id cost seconds a million.
  let pool = '';
  let at = 0;
  return () => {
    const c = counter++;
    if (at + 10 > pool.length) {
      pool = randomBytes(65_536).toString('hex');
      at = 0;
    }
    at += 10;
    return `${prefix}${HEX3[c >>> 20] ?? ''}-${HEX1[8 | ((c >>> 18) & 3)] ?? ''}${HEX3[(c >>> 6) & 0xfff] ?? ''}-${HEX2[(c & 0x3f) << 2] ?? ''}${pool.slice(at - 10, at)}`;
  };
}

const HEX1 = Array.from({ length: 16 }, (_, i) => hex(i, 1));
const HEX2 = Array.from({ length: 256 }, (_, i) => hex(i, 2));
const HEX3 = Array.from({ length: 4096 }, (_, i) => hex(i, 3));

/** Metropolitan departments of a NIR: 01–95 with Corsica's 2A and 2B for 20. */
const DEPARTMENTS = Array.from({ length: 95 }, (_, i) => pad(i + 1, 2)).flatMap((d) =>
  d === '20' ? ['2A', '2B'] : [d],
);
const BIRTHPLACES = DEPARTMENTS.length * 990 * 999;
/** Prime to BIRTHPLACES (2^6·3^4·5·11·37): k ↦ k·A + B is a permutation of the birthplaces. */
const SCRAMBLE = 1_000_003;
const FIRST_NUMBER = 8_000_000;
const LAST_NUMBER = 9_999_999;
/** A household has at most 5 members: allocataire, conjoint, three children. */
const SLOTS = 5;

/**
 * Department, commune and order number (8 characters of the NIR) of member `slot` of dossier
 * `number`: a different birthplace for every (dossier, slot), so two random persons never share
 * a NIR, whatever their sex and birth month, across every seeding of the database — no
 * collision to retry within a million households. Scrambled so that neighbours do not look alike.
 */
function birthplace(number: number, slot: number): string {
  const k = (((number - FIRST_NUMBER) * SLOTS + slot) * SCRAMBLE + 12_345_677) % BIRTHPLACES;
  const order = (k % 999) + 1;
  const rest = Math.floor(k / 999);
  const department = DEPARTMENTS[Math.floor(rest / 990)] ?? '75';
  return `${department}${pad((rest % 990) + 1, 3)}${pad(order, 3)}`;
}

export interface RandomAdult {
  readonly personId: string;
  readonly nir: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly dossierNumber: string;
  readonly role: 'allocataire' | 'conjoint';
}

interface PaymentStream {
  readonly benefit: string;
  /** Monthly amount in cents before and after a change `changeAgo` months ago (24: none). */
  readonly before: number;
  readonly after: number;
  readonly changeAgo: number;
}

/** What a random household is paid: housing aid, family allowances from two children, RSA or PPA. */
function paymentStreams(situation: string, children: number): PaymentStream[] {
  const steady = (benefit: string, cents: number): PaymentStream => ({
    benefit,
    before: cents,
    after: cents,
    changeAgo: PAYMENT_MONTHS,
  });
  const apl = between(9000, 35000);
  const streams: PaymentStream[] = [
    // Housing aid is recomputed on new resources: a change somewhere in the 24 months.
    {
      benefit: 'Aide personnalisée au logement',
      before: apl,
      after: apl + between(-4000, 4000),
      changeAgo: between(1, 23),
    },
  ];
  if (children >= 2) streams.push(steady('Allocations familiales', children >= 3 ? 34560 : 15105));
  if (situation === 'Célibataire' && rnd(2) === 0) {
    streams.push({
      benefit: 'Revenu de solidarité active',
      before: 63571,
      after: 64652,
      changeAgo: 7,
    });
  } else if (rnd(3) === 0) {
    streams.push(steady('Prime d’activité', between(5000, 25000)));
  }
  return streams;
}

/** A month of payments: paid on the 5th for the month before. */
interface PaymentMonth {
  /** Months back from the latest possible payment (0: this month's). */
  readonly back: number;
  readonly paidOn: string;
  readonly period: string;
  readonly start: string;
  readonly end: string;
}

/** The last `months` payment dates up to `today` (YYYY-MM-DD, UTC), the latest first. */
function paymentMonths(today: string, months: number): PaymentMonth[] {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7)) - 1;
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const result: PaymentMonth[] = [];
  for (let k = 0; k < months; k++) {
    const paidOn = iso(new Date(Date.UTC(year, month - k, 5)));
    if (paidOn > today) continue;
    const start = new Date(Date.UTC(year, month - k - 1, 1));
    result.push({
      back: k,
      paidOn,
      period: `${pad(start.getUTCMonth() + 1, 2)}/${String(start.getUTCFullYear())}`,
      start: iso(start),
      end: iso(new Date(Date.UTC(year, month - k, 0))),
    });
  }
  return result;
}

/** COPY's text format: backslash, tab and line ends escaped. */
function copyText(s: string): string {
  return s.replace(
    /[\\\t\n\r]/g,
    (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] ?? c,
  );
}

const LETTERS = [
  { sentOn: '2026-10-06', subject: 'Vos droits aux allocations familiales' },
  { sentOn: '2026-07-06', subject: 'Votre situation a été mise à jour' },
] as const;
const LETTER_BODY = copyText(
  'Madame, Monsieur,\n\nVos droits ont été réexaminés : le montant de vos allocations familiales est maintenu.',
);

export interface SeedRandomOptions {
  readonly count: number;
  /** One precomputed hash shared by every account (RANDOM_PASSWORD). */
  readonly passwordHash: string;
  /** Called after each committed chunk with the number of households added so far. */
  readonly onProgress?: (done: number) => void;
  /**
   * Return the adults of only this many households, spread evenly over the run (default: every
   * household's). A million households have 1.6 million adults: the CLI asks for none, a bench
   * for the few it logs in as.
   */
  readonly sample?: number;
  /**
   * Months of payments (the latest ones paid) of the households whose adults are not returned
   * (default 24, as the returned ones always get): 24 months of a million households are ≈ 43
   * million rows.
   */
  readonly paymentMonths?: number;
  /** Connections writing at the same time (default 2: Node generates while Postgres writes). */
  readonly connections?: number;
}

/** Above this many households, `npm run seed` gives each BULK_PAYMENT_MONTHS of payments. */
export const LARGE_RUN = 100_000;
/**
 * The latest month paid, what the hub shows: 24 months of a million households are ≈ 43 million
 * payment rows (12 GB, several minutes), 3 months ≈ 5.9 million (a quarter of the seeding's time
 * in Postgres), one month ≈ 2 million — a payments index still large enough for its plans. The
 * households a bench logs in as (`sample`) keep the full 24 months.
 */
export const BULK_PAYMENT_MONTHS = 1;

/** Serialises seedings: the dossier numbers of a run are taken once, at its start. */
const SEED_LOCK = 4_242_003;

/**
 * Adds `count` random households: an allocataire, often a conjoint (both with accounts sharing
 * one precomputed hash and a validated e-mail), 0–3 children, 24 months of payments, one letter or
 * two. Streamed with COPY in chunks of up to 10,000 households, one transaction a chunk, on
 * `connections` connections at once; the dossier numbers follow the highest one from 8000000.
 *
 * As a superuser (the embedded database), each chunk runs with session_replication_role =
 * replica: no trigger fires — neither the foreign-key checks (the rows are consistent by
 * construction) nor the membership history of migration 018, whose rows the chunk then writes
 * itself, the same as the trigger would (valid from the chunk's transaction time). Other roles
 * keep every trigger, at a slower pace. Secondary indexes stay: the database is never empty
 * (demo data, earlier seedings), and the time-ordered ids make them grow at their right edge.
 */
export async function seedRandomHouseholds(
  pool: Pool,
  options: SeedRandomOptions,
): Promise<RandomAdult[]> {
  const { count } = options;
  if (!Number.isInteger(count) || count < 0) throw new RangeError('count: a whole number');
  if (count === 0) return [];
  const chunkSize = Math.min(10_000, Math.max(250, Math.ceil(count / 50)));
  const chunks = Math.ceil(count / chunkSize);
  const poolMax = pool.options.max;
  const connections = Math.max(1, Math.min(options.connections ?? 2, chunks, poolMax));
  const step =
    options.sample === undefined
      ? 1
      : options.sample > 0
        ? Math.max(1, Math.floor(count / options.sample))
        : 0;
  const sampled = (g: number) =>
    step > 0 && g % step === 0 && (options.sample === undefined || g / step < options.sample);
  const newId = idGenerator();
  const today = new Date().toISOString().slice(0, 10);
  const full = paymentMonths(today, PAYMENT_MONTHS);
  // The latest months paid, even before the 5th (when this month's is still to come).
  const short = full.slice(0, Math.max(0, options.paymentMonths ?? PAYMENT_MONTHS));

  const first = await pool.connect();
  const clients: pg.PoolClient[] = [first];
  let broken: Error | undefined;
  try {
    await first.query('SELECT pg_advisory_lock($1)', [SEED_LOCK]);
    const top = await first.query<{ n: number; superuser: boolean }>(
      `SELECT (SELECT coalesce(max(number::int), $1 - 1)::int FROM dossiers WHERE number >= $2) AS n,
              (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser`,
      [FIRST_NUMBER, String(FIRST_NUMBER)],
    );
    const base = (top.rows[0]?.n ?? FIRST_NUMBER - 1) + 1;
    if (base + count - 1 > LAST_NUMBER) {
      throw new RangeError(
        `Plus assez de numéros de dossier libres : ${String(LAST_NUMBER - base + 1)} au plus (de ${String(base)} à ${String(LAST_NUMBER)}).`,
      );
    }
    const replica = top.rows[0]?.superuser === true;
    for (let i = 1; i < connections; i++) clients.push(await pool.connect());

    const results: RandomAdult[][] = [];
    let next = 0;
    let done = 0;
    let failed = false;
    const work = async (client: pg.PoolClient) => {
      for (;;) {
        const index = next++;
        if (failed || index >= chunks) return;
        const from = index * chunkSize;
        const size = Math.min(chunkSize, count - from);
        const plan: ChunkPlan = { from, size, base, sampled, full, short, replica, newId };
        results[index] = await insertChunk(client, plan, options.passwordHash);
        done += size;
        options.onProgress?.(done);
      }
    };
    const outcomes = await Promise.allSettled(
      clients.map((c) =>
        work(c).catch((error: unknown) => {
          failed = true;
          throw error;
        }),
      ),
    );
    const rejected = outcomes.find((o) => o.status === 'rejected');
    if (rejected) throw rejected.reason;
    // The planner's statistics at the tables' new size, rather than when autovacuum gets to it.
    if (count >= 50_000) {
      try {
        await first.query('BEGIN');
        await first.query('SET LOCAL statement_timeout = 0');
        await first.query(
          'ANALYZE dossiers, persons, accounts, dossier_members, dossier_member_history, payments, letters',
        );
        await first.query('COMMIT');
      } catch (error) {
        await first.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }
    return results.flat();
  } catch (error) {
    if (isConnectionError(error))
      broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    await first.query('SELECT pg_advisory_unlock($1)', [SEED_LOCK]).catch(() => undefined);
    for (const c of clients) c.release(broken);
  }
}

interface ChunkPlan {
  /** Index in the run of the chunk's first household. */
  readonly from: number;
  readonly size: number;
  /** The run's first dossier number. */
  readonly base: number;
  readonly sampled: (household: number) => boolean;
  readonly full: readonly PaymentMonth[];
  readonly short: readonly PaymentMonth[];
  readonly replica: boolean;
  readonly newId: () => string;
}

async function insertChunk(
  client: pg.PoolClient,
  plan: ChunkPlan,
  passwordHash: string,
  attempt = 0,
): Promise<RandomAdult[]> {
  try {
    await client.query('BEGIN');
    // A chunk's COPY may outlast the pool's statement timeout on a busy machine.
    await client.query('SET LOCAL statement_timeout = 0');
    await client.query('SET LOCAL synchronous_commit = off');
    if (plan.replica) await client.query('SET LOCAL session_replication_role = replica');
    const clock = await client.query<{ now: string }>('SELECT now()::text AS now');
    const now = clock.rows[0]?.now ?? 'now';
    const adults = await writeChunk(client, plan, passwordHash, now);
    await client.query('COMMIT');
    return adults;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    // Only a person of the demo data (or one added by hand) can share a random NIR: draw the
    // chunk's birth dates again.
    if (
      attempt < 3 &&
      typeof error === 'object' &&
      error !== null &&
      'code' in error &&
      error.code === '23505'
    ) {
      return insertChunk(client, plan, passwordHash, attempt + 1);
    }
    throw error;
  }
}

async function writeChunk(
  client: pg.PoolClient,
  plan: ChunkPlan,
  passwordHash: string,
  now: string,
): Promise<RandomAdult[]> {
  const { newId } = plan;
  const dossiers: string[] = [];
  const persons: string[] = [];
  const accounts: string[] = [];
  const members: string[] = [];
  const letters: string[] = [];
  const payers: {
    iban: string;
    dossier: string;
    months: readonly PaymentMonth[];
    streams: PaymentStream[];
  }[] = [];
  const adults: RandomAdult[] = [];
  const hashField = copyText(passwordHash);
  for (let h = 0; h < plan.size; h++) {
    const household = plan.from + h;
    const number = plan.base + household;
    const numberText = String(number);
    const dossier = newId();
    const family = pick(FAMILY);
    const [postcode, city] = pick(CITIES);
    const couple = rnd(10) < 6;
    const situation = couple ? pick(['Marié(e)s', 'Pacsé(e)s', 'Vie maritale']) : 'Célibataire';
    const iban = frenchIban(`30006000010000${numberText}00`);
    dossiers.push(
      `${dossier}\t${numberText}\t${String(between(1, 200))} ${pick(STREETS)}\t${postcode}\t${city}\t${situation}\t${iban}\tAGRIFRPPXXX\n`,
    );
    const returned = plan.sampled(household);
    let slot = 0;
    const person = (sex: 1 | 2, year: number, role: 'allocataire' | 'conjoint' | 'enfant') => {
      const id = newId();
      const month = between(1, 13);
      const nir = `${String(sex)}${pad(year % 100, 2)}${pad(month, 2)}${birthplace(number, slot++)}`;
      const given = pick(GIVEN[sex]);
      const birthdate = `${String(year)}-${pad(month, 2)}-${pad(between(1, 29), 2)}`;
      // Account holders have been through their first connection: a validated e-mail.
      const contact =
        role === 'enfant' ? '\\N\t\\N' : `personne.${id.slice(-8)}@example.org\t${now}`;
      persons.push(
        `${id}\t${nir}\t${given}\t${family}\t${family}\t${String(sex)}\t${birthdate}\t${contact}\n`,
      );
      members.push(`${dossier}\t${id}\t${role}\n`);
      if (role !== 'enfant') {
        accounts.push(`${id}\t${hashField}\n`);
        if (returned) {
          adults.push({
            personId: id,
            nir,
            givenName: given,
            familyName: family,
            dossierNumber: numberText,
            role,
          });
        }
      }
      return sex;
    };
    const parentYear = between(1965, 2001);
    const firstSex = person(rnd(10) < 7 ? 2 : 1, parentYear, 'allocataire');
    if (couple) person(firstSex === 1 ? 2 : 1, parentYear + between(-3, 4), 'conjoint');
    const children = rnd(4);
    for (let c = 0; c < children; c++) {
      person(rnd(2) === 0 ? 1 : 2, Math.min(2025, parentYear + 20 + rnd(15)), 'enfant');
    }
    payers.push({
      iban,
      dossier,
      months: returned ? plan.full : plan.short,
      streams: paymentStreams(situation, children),
    });
    // One letter or two, to the household, unread.
    for (let k = rnd(2); k >= 0; k--) {
      const letter = LETTERS[k];
      if (letter)
        letters.push(
          `${newId()}\t${dossier}\t${letter.sentOn}\t${letter.subject}\t${LETTER_BODY}\n`,
        );
    }
  }
  await copyInto(
    client,
    'dossiers (id, number, address_line1, postcode, city, family_situation, iban, bic)',
    dossiers,
  );
  await copyInto(
    client,
    'persons (id, nir, given_name, family_name, birth_name, sex, birthdate, email, email_verified_at)',
    persons,
  );
  await copyInto(client, 'accounts (person_id, password_hash)', accounts);
  await copyInto(client, 'dossier_members (dossier_id, person_id, role)', members);
  // What the trigger of migration 018 writes, which does not fire as replica.
  if (plan.replica) {
    await copyInto(
      client,
      'dossier_member_history (dossier_id, person_id, role, delegation, valid_from)',
      members.map((m) => `${m.slice(0, -1)}\tf\t${now}\n`),
    );
  }
  await copyInto(
    client,
    'payments (dossier_id, paid_on, benefit, period, period_start, period_end, gross_cents, amount_cents, iban)',
    paymentLines(payers),
  );
  await copyInto(client, 'letters (id, dossier_id, sent_on, subject, body)', letters);
  return adults;
}

function* paymentLines(
  payers: readonly {
    iban: string;
    dossier: string;
    months: readonly PaymentMonth[];
    streams: PaymentStream[];
  }[],
): Generator<string> {
  for (const p of payers) {
    for (const s of p.streams) {
      for (const m of p.months) {
        const cents = String(m.back > s.changeAgo ? s.before : s.after);
        yield `${p.dossier}\t${m.paidOn}\t${s.benefit}\t${m.period}\t${m.start}\t${m.end}\t${cents}\t${cents}\t${p.iban}\n`;
      }
    }
  }
}

/** Lines joined into pieces of about 64 KB, the size the socket takes well. */
function* pieces(lines: Iterable<string>): Generator<string> {
  let piece = '';
  for (const line of lines) {
    piece += line;
    if (piece.length >= 65_536) {
      yield piece;
      piece = '';
    }
  }
  if (piece !== '') yield piece;
}

async function copyInto(
  client: pg.PoolClient,
  target: string,
  lines: Iterable<string>,
): Promise<void> {
  await pipeline(Readable.from(pieces(lines)), client.query(copyFrom(`COPY ${target} FROM STDIN`)));
}
