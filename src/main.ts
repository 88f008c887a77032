import { existsSync } from 'node:fs';
import path from 'node:path';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';
import { paths } from './http/paths.ts';
import { ConfigError, loadConfig, projectRoot } from './config.ts';
import { openDatabase } from './db/connect.ts';
import { EmbeddedPostgresError } from './db/embedded-error.ts';
import { migrate } from './db/migrate.ts';
import { startMessageWorker } from './notifications/worker.ts';
import { buildDeps } from './services/deps.ts';
import { demoPersonas, seedDemo } from './seed/demo.ts';

const envFile = path.join(projectRoot, '.env');
if (existsSync(envFile)) process.loadEnvFile(envFile);

async function main(): Promise<void> {
  const loaded = loadConfig();
  const db = await openDatabase(loaded);
  await migrate(db.pool);
  // Outside production with no SMTP_URL, e-mails go to a local SMTP catcher writing to
  // dev_outbox; the config handed to the services carries the catcher's URL.
  // Development tools are imported only where used: production never loads them.
  const catcher =
    loaded.env !== 'production' && !loaded.mail.smtpUrl
      ? await (
          await import('./notifications/smtp-catcher.ts')
        ).startDevelopmentSmtpCatcher({
          preferredPort: loaded.mail.catcherPort,
          db: db.pool,
        })
      : null;
  const withMail = catcher ? { ...loaded, mail: { ...loaded.mail, smtpUrl: catcher.url } } : loaded;
  // Outside production with no FranceConnect issuer, a development provider on loopback stands in
  // for FranceConnect and FranceConnect+ (never in production).
  const { franceconnect, franceconnectPlus } = loaded.franceConnect;
  const devFranceConnect =
    loaded.env !== 'production' && !franceconnect && !franceconnectPlus
      ? await (
          await import('./dev-franceconnect/provider.ts')
        ).startDevelopmentFranceConnect({ port: loaded.franceConnect.devProviderPort })
      : null;
  const config = devFranceConnect
    ? {
        ...withMail,
        franceConnect: {
          ...withMail.franceConnect,
          franceconnect: devFranceConnect.franceconnect,
          franceconnectPlus: devFranceConnect.franceconnectPlus,
        },
      }
    : withMail;
  const services = await buildDeps(config, db.pool);
  // Demo data only outside production, and only into an empty database.
  const seeded = config.env !== 'production' ? await seedDemo(db.pool, services.hasher) : null;
  const app = await buildApp(services);
  const messageWorker = await startMessageWorker({
    databaseUrl: db.url,
    notifier: services.notifier,
    log: (level, message) => {
      app.log[level === 'error' ? 'error' : 'warn']({ worker: 'messages' }, message);
    },
  });

  // Shutdown order (ADR 0005): stop accepting and let requests in flight finish (bounded by
  // `delay`), close the senders, then the pool, then the embedded Postgres if we started it.
  closeWithGrace({ delay: 10_000 }, async ({ err }) => {
    if (err) app.log.error({ err }, 'arrêt sur erreur');
    await app.close();
    await messageWorker.stop();
    await services.notifier.close();
    await catcher?.close();
    await devFranceConnect?.close();
    await db.close();
  });

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const origin = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  devFranceConnect?.attach(config.publicUrl ?? origin);
  const url = `${origin}${paths.connexion}`;
  const lines = [
    '',
    `Mon Compte est prêt : ${url}`,
    `Base de données : ${db.description}${seeded?.created ? ' (données de démonstration chargées)' : ''}`,
  ];
  if (catcher) {
    const moved = catcher.movedFrom === null ? '' : ` (port ${catcher.movedFrom} occupé)`;
    lines.push(
      `Courriels : récepteur SMTP de développement ${catcher.url}${moved}`,
      `Messages envoyés (courriels, SMS, courriers) : ${origin}${paths.developpementMessages}`,
    );
  }
  if (devFranceConnect) {
    lines.push(
      `FranceConnect et FranceConnect+ : fournisseur de développement ${devFranceConnect.issuer}`,
    );
  }
  if (config.env !== 'production') {
    lines.push('', 'Comptes de démonstration (numéro de sécurité sociale / mot de passe) :');
    for (const p of demoPersonas()) {
      if (p.role === 'agent') continue;
      const id = p.nir ?? `identifiant provisoire ${p.provisionalId ?? ''}`;
      const secret =
        p.password ??
        (p.legacyPassword ? `ancien mot de passe ${p.legacyPassword}` : 'pas de compte');
      lines.push(
        `  ${`${p.givenName} ${p.familyName.toUpperCase()}`.padEnd(18)} ${p.key.padEnd(26)} ${id.padEnd(26)} ${secret}`,
      );
    }
    lines.push('', 'Tous les personnages en JSON : npm run seed -- --json', '');
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((error: unknown) => {
  // Words, not a stack: what is wrong and how to fix it.
  process.stderr.write(
    error instanceof ConfigError
      ? `${error.message}\n`
      : error instanceof EmbeddedPostgresError
        ? `Démarrage impossible : ${error.message}\n`
        : `Démarrage impossible : ${String(error)}\n`,
  );
  process.exit(1);
});
