/**
 * The bench's child processes: the benchmarked server (bench/server.ts, with its embedded
 * Postgres) and the bare Fastify reference (bench/bare-server.ts). One of each at a time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseServerMessage, type ReadyMessage } from './protocol.ts';

const projectRoot = path.resolve(import.meta.dirname, '..');
const STOP_TIMEOUT_MS = 20_000;

export interface ServerHandle {
  readonly ready: ReadyMessage;
  readonly baseUrl: string;
  readonly pid: number | undefined;
}

export interface BareHandle {
  readonly baseUrl: string;
  readonly pid: number | undefined;
}

let child: ChildProcess | null = null;
let bare: ChildProcess | null = null;
let pgDir: string | null = null;
let stoppingServer = false;

function exited(proc: ChildProcess): boolean {
  return proc.exitCode !== null || proc.signalCode !== null;
}

function waitForExit(proc: ChildProcess, ms: number): Promise<boolean> {
  if (exited(proc)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolve(false);
    }, ms);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function terminate(proc: ChildProcess | null): Promise<void> {
  if (!proc || exited(proc)) return;
  proc.kill('SIGTERM');
  if (!(await waitForExit(proc, STOP_TIMEOUT_MS))) {
    proc.kill('SIGKILL');
    await waitForExit(proc, 5_000);
  }
}

function nodeChild(script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join('bench', script)], {
    cwd: projectRoot,
    env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

function linesOf(proc: ChildProcess): ReturnType<typeof createInterface> {
  if (!proc.stdout) throw new Error('no stdout pipe to the child');
  return createInterface({ input: proc.stdout });
}

/**
 * Starts bench/server.ts with `households` random households; `env` adds settings (e.g.
 * BENCH_ADULTS_SAMPLE). Resolves once it listens and has said so.
 */
export function startServer(
  households: number,
  options: {
    readyTimeoutMs: number;
    env?: Readonly<Record<string, string>>;
    progress: (message: string) => void;
  },
): Promise<ServerHandle> {
  // --expose-gc: /bench/heap collects before it reports (bench/server.ts).
  const nodeArgs = [
    '--expose-gc',
    ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
  ];
  stoppingServer = false;
  pgDir = null;
  const proc = nodeChild(
    'server.ts',
    { ...process.env, ...options.env, BENCH_HOUSEHOLDS: String(households) },
    nodeArgs,
  );
  child = proc;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`the server is not ready after ${options.readyTimeoutMs / 1000} s`));
    }, options.readyTimeoutMs);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited while starting (${signal ?? String(code)})`));
    });
    proc.once('error', reject);
    proc.once('exit', (code, signal) => {
      if (!stoppingServer)
        options.progress(`the server exited on its own (${signal ?? String(code)})`);
    });
    linesOf(proc).on('line', (line) => {
      const message = parseServerMessage(line);
      if (message?.type === 'starting') pgDir = message.pgDir;
      else if (message?.type === 'ready') {
        clearTimeout(timer);
        resolve({ ready: message, baseUrl: `http://127.0.0.1:${message.port}`, pid: proc.pid });
      } else if (line.trim()) process.stderr.write(`[server] ${line}\n`);
    });
  });
}

/** Starts the bare Fastify reference; resolves once it listens. */
export function startBare(readyTimeoutMs = 30_000): Promise<BareHandle> {
  const proc = nodeChild('bare-server.ts', process.env);
  bare = proc;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`the bare server is not ready after ${readyTimeoutMs / 1000} s`));
    }, readyTimeoutMs);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the bare server exited while starting (${signal ?? String(code)})`));
    });
    proc.once('error', reject);
    linesOf(proc).on('line', (line) => {
      const message = parseServerMessage(line);
      if (message?.type === 'bare') {
        clearTimeout(timer);
        resolve({ baseUrl: `http://127.0.0.1:${message.port}`, pid: proc.pid });
      } else if (line.trim()) process.stderr.write(`[bare] ${line}\n`);
    });
  });
}

export async function stopBare(): Promise<void> {
  const proc = bare;
  bare = null;
  await terminate(proc);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGTERM to the server, which stops its Postgres (and deletes its data directory); then makes
 * sure: a postmaster still running in that directory is stopped here, the directory removed.
 */
export async function stopServer(): Promise<string> {
  stoppingServer = true;
  await stopBare();
  const proc = child;
  await terminate(proc);
  child = null;
  const dir = pgDir;
  pgDir = null;
  if (!dir || !existsSync(dir)) return 'server and Postgres stopped, data directory deleted';
  const pidFile = path.join(dir, 'postmaster.pid');
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : NaN;
  let note = 'data directory left behind, deleted by the runner';
  if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    note = `Postgres ${pid} left running, stopped by the runner`;
  }
  rmSync(dir, { recursive: true, force: true });
  return note;
}
