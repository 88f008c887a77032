// Makes sure a Debian package the tests run is installed: `node scripts/ensure-apt-package.mjs
// <package> <binary>`. Chromium for the end-to-end tests (Playwright's own browser download does
// not work on our machines, see playwright.config.ts); nginx for the caching-proxy test, which
// runs its own nginx binary with its own configuration, never the system service.
// Plain Node, no dependencies, no prompts: it runs in CI with no standard input.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import process from 'node:process';

const [pkg, binary] = process.argv.slice(2);
if (!pkg || !binary) {
  process.stderr.write('usage : node scripts/ensure-apt-package.mjs <paquet> <exécutable>\n');
  process.exit(2);
}

if (existsSync(binary)) process.exit(0);

const howTo = `sudo apt-get update && sudo apt-get install -y ${pkg}`;

if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
  process.stderr.write(
    `${pkg} est introuvable (${binary}) : les tests en ont besoin.\n` +
      `Installez-le, puis relancez npm test :\n  ${howTo}\n`,
  );
  process.exit(1);
}

process.stdout.write(`${pkg} est introuvable (${binary}) : installation par apt-get…\n`);
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
        `${pkg} est nécessaire aux tests ; installez-le à la main :\n  ${howTo}\n`,
    );
    process.exit(1);
  }
}

aptGet(['update']);
aptGet(['install', '-y', '--no-install-recommends', pkg]);

if (!existsSync(binary)) {
  process.stderr.write(
    `apt-get a installé le paquet ${pkg}, mais ${binary} n’existe toujours pas.\n`,
  );
  process.exit(1);
}
process.stdout.write(`${pkg} installé : ${binary}\n`);
