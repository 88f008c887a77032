// Makes sure the system Chromium used by the end-to-end tests is installed.
// Playwright's own browser download does not work on our machines, so the tests run the
// Debian package at /usr/bin/chromium (see playwright.config.ts). Plain Node, no dependencies,
// no prompts: it runs in CI with no standard input.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import process from 'node:process';

const chromium = '/usr/bin/chromium';

if (existsSync(chromium)) process.exit(0);

const howTo = 'sudo apt-get update && sudo apt-get install -y chromium';

if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
  process.stderr.write(
    `Chromium est introuvable (${chromium}) : les tests de bout en bout en ont besoin.\n` +
      `Installez-le, puis relancez npm run test:e2e :\n  ${howTo}\n`,
  );
  process.exit(1);
}

process.stdout.write(`Chromium est introuvable (${chromium}) : installation par apt-get…\n`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };

/** @param {readonly string[]} args */
function aptGet(args) {
  const result = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
  if (result.error || result.status !== 0) {
    const why = result.error
      ? result.error.message
      : `code de sortie ${String(result.status ?? result.signal)}`;
    process.stderr.write(
      `\nÉchec de « apt-get ${args.join(' ')} » (${why}).\n` +
        `Chromium est nécessaire aux tests de bout en bout ; installez-le à la main :\n  ${howTo}\n`,
    );
    process.exit(1);
  }
}

aptGet(['update']);
aptGet(['install', '-y', '--no-install-recommends', 'chromium']);

if (!existsSync(chromium)) {
  process.stderr.write(
    `apt-get a installé le paquet chromium, mais ${chromium} n’existe toujours pas.\n`,
  );
  process.exit(1);
}
process.stdout.write(`Chromium installé : ${chromium}\n`);
