import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, projectRoot } from '#src/config.ts';
import { openDatabase } from '#src/db/connect.ts';
import { findPersonByProvisionalId } from '#src/db/repositories/provisional-ids.ts';
import { isAgentRole } from '#src/domain/agent-access.ts';
import { nirErrorMessage } from '#src/domain/nir.ts';
import { parseProvisionalId, provisionalIdErrorMessage } from '#src/domain/provisional-id.ts';
import { deadMessages } from '#src/notifications/outbox.ts';
import { createAgent } from '#src/services/agents/create-agent.ts';
import { buildDeps } from '#src/services/deps.ts';
import { assignNir, type AssignNirResult } from '#src/services/provisional-id.ts';
import { runIssue10Command, ISSUE_10_USAGE } from './commands.ts';

// Agent commands, until the agent console exists:
//   npm run agent -- attribuer-nir --identifiant P2026004817 --nir 1950699341001
//   npm run agent -- messages-en-echec
const USAGE =
  'Usage : npm run agent -- attribuer-nir --identifiant <identifiant provisoire> --nir <13 caractères>\n' +
  '        npm run agent -- messages-en-echec\n' +
  '        npm run agent -- creer-agent --identifiant <prenom.nom> --prenom <prénom> --nom <nom> --role conseiller|testeur|superviseur\n' +
  ISSUE_10_USAGE;

const envFile = path.join(projectRoot, '.env');
if (existsSync(envFile)) process.loadEnvFile(envFile);

const say = (m: string) => process.stderr.write(`${m}\n`);

// Issue 10's commands (maintenance, incident) parse their own options.
const [first, ...rest] = process.argv.slice(2);
if (first === 'maintenance' || first === 'incident') {
  process.exit(await runIssue10Command(first, rest, say));
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    identifiant: { type: 'string' },
    nir: { type: 'string' },
    prenom: { type: 'string' },
    nom: { type: 'string' },
    role: { type: 'string' },
  },
});
const [command] = positionals;
if (command === 'creer-agent') {
  const { identifiant, prenom, nom, role } = values;
  if (!identifiant || !prenom || !nom || !role || !isAgentRole(role)) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  const config = loadConfig();
  const db = await openDatabase(config);
  let code = 0;
  try {
    const deps = await buildDeps(config, db.pool);
    const created = await createAgent(deps, {
      login: identifiant,
      givenName: prenom,
      familyName: nom,
      role,
    });
    if (created.ok) {
      say(
        `Agent ${identifiant} créé (${role}). Transmettez-lui ces deux éléments, affichés une seule fois :`,
      );
      say(`  Mot de passe provisoire : ${created.password}`);
      say(`  Clé de l’application d’authentification (TOTP) : ${created.totpSecret}`);
      say('À sa première connexion sur /agents, la console affiche aussi cette clé en QR code.');
    } else {
      say(
        created.reason === 'login-taken'
          ? 'Refusé : cet identifiant est déjà pris.'
          : 'Refusé : l’identifiant fait 3 à 64 caractères (lettres minuscules, chiffres, point, tiret).',
      );
      code = 1;
    }
  } finally {
    await db.close();
  }
  process.exit(code);
}
if (command === 'messages-en-echec') {
  const db = await openDatabase(loadConfig());
  try {
    const dead = await deadMessages(db.pool);
    say(`${String(dead.length)} message(s) non remis après toutes les tentatives (ADR 0009).`);
    for (const m of dead) {
      process.stdout.write(
        `${m.id}\t${m.createdAt.toISOString()}\t${m.channel}\t${m.recipient}\t${m.subject}\t${String(m.attempts)} essais\t${m.lastError ?? ''}\n`,
      );
    }
  } finally {
    await db.close();
  }
  process.exit(0);
}
if (command !== 'attribuer-nir' || !values.identifiant || !values.nir) {
  process.stderr.write(USAGE);
  process.exit(2);
}
const provisional = parseProvisionalId(values.identifiant);
if (!provisional.ok) {
  say(provisionalIdErrorMessage(provisional.error));
  process.exit(2);
}

function refusal(reason: Exclude<AssignNirResult, { ok: true }>['reason']): string {
  switch (reason) {
    case 'unknown-person':
      return 'Aucune personne ne porte cet identifiant provisoire.';
    case 'already-has-nir':
      return 'Cette personne a déjà un numéro de sécurité sociale.';
    case 'nir-taken':
      return 'Ce numéro de sécurité sociale appartient déjà à une autre personne.';
    case 'identity-mismatch':
      return 'Ce numéro ne correspond pas à la personne (sexe, année ou mois de naissance).';
    default:
      return nirErrorMessage(reason);
  }
}

const config = loadConfig();
const db = await openDatabase(config);
let exitCode = 0;
try {
  const services = await buildDeps(config, db.pool);
  const person = await findPersonByProvisionalId(db.pool, provisional.value);
  const result = person
    ? await assignNir(services, person.id, values.nir)
    : ({ ok: false, reason: 'unknown-person' } satisfies AssignNirResult);
  if (result.ok) {
    say(
      `Numéro de sécurité sociale enregistré pour ${result.person.given_name} ${result.person.family_name.toLocaleUpperCase('fr-FR')} : l’identifiant provisoire ${provisional.value} ne permet plus de se connecter ; le compte, le dossier et l’historique sont conservés.`,
    );
    say(
      result.noticeSent
        ? 'Un courriel prévient la personne (remis par le portail, qui réessaie si besoin).'
        : 'Aucun courriel envoyé (pas d’adresse) : prévenez la personne.',
    );
  } else {
    say(`Refusé : ${refusal(result.reason)}`);
    exitCode = 1;
  }
} finally {
  await db.close();
}
process.exit(exitCode);
