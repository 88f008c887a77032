/**
 * The benchmarked server (bench/server.ts) as a child process of a bench runner (bench/run.ts,
 * bench/storm.ts): started with BENCH_SERVER_NODE_ARGS before the script, stopped with its
 * embedded Postgres and data directory whatever happens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseServerMessage, type ReadyMessage } from './protocol.ts';

const projectRoot = path.resolve(import.meta.dirname, '..');
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 20_000;

export interface ServerHandle {
  readonly ready: ReadyMessage;
  readonly baseUrl: string;
}

let child: ChildProcess | null = null;
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

/** Starts bench/server.ts; `progress` hears what happens to it afterwards. */
export function startServer(
  households: number,
  progress: (message: string) => void,
): Promise<ServerHandle> {
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const proc = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', path.join('bench', 'server.ts')],
    {
      cwd: projectRoot,
      env: { ...process.env, BENCH_HOUSEHOLDS: String(households) },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  child = proc;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`the server is not ready after ${READY_TIMEOUT_MS / 1000} s`));
    }, READY_TIMEOUT_MS);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited while starting (${signal ?? String(code)})`));
    });
    proc.once('error', reject);
    proc.once('exit', (code, signal) => {
      if (!stoppingServer) progress(`the server exited on its own (${signal ?? String(code)})`);
    });
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const message = parseServerMessage(line);
      if (message?.type === 'starting') pgDir = message.pgDir;
      else if (message?.type === 'ready') {
        clearTimeout(timer);
        resolve({ ready: message, baseUrl: `http://127.0.0.1:${message.port}` });
      } else if (line.trim()) process.stderr.write(`[server] ${line}\n`);
    });
  });
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
  const proc = child;
  if (proc && !exited(proc)) {
    proc.kill('SIGTERM');
    if (!(await waitForExit(proc, STOP_TIMEOUT_MS))) {
      proc.kill('SIGKILL');
      await waitForExit(proc, 5_000);
    }
  }
  child = null;
  const dir = pgDir;
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
