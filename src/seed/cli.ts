import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import argon2 from 'argon2';
import cliProgress from 'cli-progress';
import { loadConfig, projectRoot } from '#src/config.ts';
import { openDatabase } from '#src/db/connect.ts';
import { explainPages, formatExplained } from '#src/db/explain-pages.ts';
import { migrate } from '#src/db/migrate.ts';
import { PAYMENT_MONTHS } from '#src/domain/payments.ts';
import { throttleSubjectsOf } from '#src/services/agents/lookup.ts';
import { buildDeps } from '#src/services/deps.ts';
import { demoAgents, demoPersonas, seedDemo, seedDemoAgents } from './demo.ts';
import { BULK_PAYMENT_MONTHS, LARGE_RUN, RANDOM_PASSWORD, seedRandomHouseholds } from './random.ts';
import { resetPersona, resettablePersonaKeys } from './reset.ts';

const envFile = path.join(projectRoot, '.env');
if (existsSync(envFile)) process.loadEnvFile(envFile);

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    count: { type: 'string' },
    // Months of payments of each random household (default 24, 1 above 100,000 households).
    'payment-months': { type: 'string' },
    // The plans of the personal pages' statements, sequential scans of large tables flagged.
    explain: { type: 'boolean', default: false },
    // `--reset KEY` or `--reset all`: demo personas back to their seeded state (issue 9).
    reset: { type: 'string' },
  },
});
const count = values.count === undefined ? 0 : Number(values.count);
if (!Number.isInteger(count) || count < 0) {
  process.stderr.write('--count attend un nombre entier positif de foyers.\n');
  process.exit(2);
}
const paymentMonths =
  values['payment-months'] === undefined
    ? count > LARGE_RUN
      ? BULK_PAYMENT_MONTHS
      : PAYMENT_MONTHS
    : Number(values['payment-months']);
if (!Number.isInteger(paymentMonths) || paymentMonths < 0 || paymentMonths > PAYMENT_MONTHS) {
  process.stderr.write(
    `--payment-months attend un nombre de mois de 0 à ${String(PAYMENT_MONTHS)}.\n`,
  );
  process.exit(2);
}

// stdout carries only the JSON; everything else goes to stderr.
const say = (m: string) => process.stderr.write(`${m}\n`);
const config = loadConfig();
const db = await openDatabase(config).catch((error: unknown) => {
  // Words, not a stack (ADR 0005).
  say(`Base de données inaccessible : ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
try {
  await migrate(db.pool);
  const services = await buildDeps(config, db.pool);
  // Agents with known passwords and TOTP secrets: never in production (`npm run agent -- creer-agent`).
  const withAgents = config.env !== 'production';
  const demo = await seedDemo(db.pool, services.hasher, { agents: withAgents });
  if (withAgents) await seedDemoAgents(db.pool, services.hasher);
  say(
    demo.created
      ? 'Données de démonstration chargées.'
      : 'Données de démonstration déjà présentes.',
  );
  if (values.reset !== undefined) {
    if (config.env === 'production') {
      say('Refusé : la réinitialisation des personas n’existe pas en production.');
      process.exit(1);
    }
    const keys = values.reset === 'all' ? resettablePersonaKeys() : [values.reset];
    for (const key of keys) {
      const id = await resetPersona(db.pool, services.hasher, key, (p) =>
        throttleSubjectsOf(services, p),
      );
      if (!id) {
        say(
          `Persona inconnu : ${key}. Personas possibles : ${resettablePersonaKeys().join(', ')}, ou all.`,
        );
        process.exitCode = 2;
      } else say(`Persona ${key} remis dans son état initial.`);
    }
  }
  if (count > 0) {
    const hash = await argon2.hash(RANDOM_PASSWORD, { type: argon2.argon2id, ...config.argon2 });
    const bar = new cliProgress.SingleBar(
      {
        format: 'Foyers aléatoires [{bar}] {value}/{total} ({duration}s)',
        stream: process.stderr,
        // Without a terminal (CI, a log file): a line every 5 seconds.
        noTTYOutput: true,
        notTTYSchedule: 5_000,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(count, 0);
    const started = Date.now();
    await seedRandomHouseholds(db.pool, {
      count,
      passwordHash: hash,
      // Nobody logs in from here: no adult returned, the memory stays flat at a million.
      sample: 0,
      paymentMonths,
      onProgress: (n) => {
        bar.update(n);
      },
    });
    bar.stop();
    say(
      `${count} foyers ajoutés en ${((Date.now() - started) / 1000).toFixed(1)} s (mot de passe commun : ${RANDOM_PASSWORD}).`,
    );
  }
  if (values.explain) {
    say(formatExplained(await explainPages(db.pool)));
    say('\nSans parcours séquentiel possible (enable_seqscan = off : un index manque-t-il ?) :');
    say(formatExplained(await explainPages(db.pool, { indexesOnly: true })));
  }
  if (values.json)
    process.stdout.write(
      `${JSON.stringify({ personas: demoPersonas(), agents: withAgents ? demoAgents : [] }, null, 2)}\n`,
    );
} finally {
  await db.close();
}
