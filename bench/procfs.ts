/**
 * What the bench reads of /proc (Linux only; everything answers null elsewhere): a process's
 * resident memory, the machine's CPU time, and the CPU time of the bench's own processes (the
 * runner and all its descendants: the server child, its Postgres and backends, the bare
 * reference server). The parsing and the arithmetic are pure and unit-tested.
 */
import { readdirSync, readFileSync } from 'node:fs';

// ---------------------------------------------------------------------------------------------
// Pure parsing

/** VmRSS of a /proc/<pid>/status text, in KiB; null when absent. */
export function parseVmRssKiB(status: string): number | null {
  const m = /^VmRSS:\s+(\d+)\s+kB\s*$/m.exec(status);
  return m?.[1] ? Number(m[1]) : null;
}

/** The machine's CPU time in clock ticks, all cores summed (first line of /proc/stat). */
export interface MachineTicks {
  /** user + nice + system + irq + softirq + steal (guest time is already inside user/nice). */
  readonly busy: number;
  /** busy + idle + iowait. */
  readonly total: number;
}

export function parseMachineTicks(procStat: string): MachineTicks | null {
  const line = procStat.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return null;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 4 || f.some((x) => !Number.isFinite(x))) return null;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** One process of /proc/<pid>/stat: its parent and its CPU time in clock ticks. */
export interface ProcessTicks {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime: the process's own time. */
  readonly own: number;
  /** cutime + cstime: the time of its children that have exited and been waited for. */
  readonly children: number;
}

/**
 * Parses a /proc/<pid>/stat line. The command name (field 2) is in parentheses and may itself
 * hold spaces and parentheses: the fields are counted from the last ")".
 */
export function parseProcessStat(line: string): ProcessTicks | null {
  const close = line.lastIndexOf(')');
  const pid = Number(line.slice(0, line.indexOf(' ')));
  if (close < 0 || !Number.isInteger(pid)) return null;
  // After ")": state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17).
  const f = line
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const field = (n: number): number => Number(f[n - 3]);
  const values = [field(4), field(14), field(15), field(16), field(17)];
  if (values.some((x) => !Number.isFinite(x))) return null;
  const [ppid = 0, utime = 0, stime = 0, cutime = 0, cstime = 0] = values;
  return { pid, ppid, own: utime + stime, children: cutime + cstime };
}

/** `root` and every process below it, given each process's parent. */
export function descendantsOf(root: number, processes: readonly ProcessTicks[]): Set<number> {
  const childrenOf = new Map<number, number[]>();
  for (const p of processes) {
    const list = childrenOf.get(p.ppid);
    if (list) list.push(p.pid);
    else childrenOf.set(p.ppid, [p.pid]);
  }
  const found = new Set<number>([root]);
  const stack = [root];
  for (let pid = stack.pop(); pid !== undefined; pid = stack.pop()) {
    for (const c of childrenOf.get(pid) ?? []) {
      if (!found.has(c)) {
        found.add(c);
        stack.push(c);
      }
    }
  }
  return found;
}

/** CPU time at one instant: the machine's, and each of our processes' (own + waited children). */
export interface CpuSnapshot {
  readonly machine: MachineTicks;
  readonly ours: ReadonlyMap<number, number>;
}

/** Ticks between two snapshots: the machine's busy and total time, and our processes' time. */
export interface CpuWindow {
  readonly busy: number;
  readonly total: number;
  readonly ours: number;
}

/**
 * Our processes' time between two snapshots counts only those present in both (the bench's
 * processes live through a phase: the pool keeps its Postgres backends); the time of a child
 * that exits within a window shows in its parent's waited-children time.
 */
export function cpuWindow(start: CpuSnapshot, end: CpuSnapshot): CpuWindow {
  let ours = 0;
  for (const [pid, ticks] of end.ours) {
    const before = start.ours.get(pid);
    if (before !== undefined && ticks >= before) ours += ticks - before;
  }
  return {
    busy: end.machine.busy - start.machine.busy,
    total: end.machine.total - start.machine.total,
    ours,
  };
}

export function addWindows(windows: readonly CpuWindow[]): CpuWindow {
  return windows.reduce(
    (a, w) => ({ busy: a.busy + w.busy, total: a.total + w.total, ours: a.ours + w.ours }),
    {
      busy: 0,
      total: 0,
      ours: 0,
    },
  );
}

/** Above this share of the cores used by other work during the phases, the figures are noisy. */
export const OTHER_WORK_WARNING = 0.1;

/**
 * The share of all the cores that other work used during the window, 0–1: the machine's busy
 * time minus ours, over the machine's total time. NaN for an empty window.
 */
export function otherWorkShare(w: CpuWindow): number {
  if (w.total <= 0) return Number.NaN;
  return Math.min(1, Math.max(0, w.busy - w.ours) / w.total);
}

/** Our processes' share of all the cores during the window, 0–1. */
export function ourShare(w: CpuWindow): number {
  if (w.total <= 0) return Number.NaN;
  return Math.min(1, w.ours / w.total);
}

// ---------------------------------------------------------------------------------------------
// Reading /proc

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Resident memory of a process in MiB; null off Linux or once the process is gone. */
export function rssMiB(pid: number | undefined): number | null {
  if (pid === undefined || process.platform !== 'linux') return null;
  const status = readOrNull(`/proc/${String(pid)}/status`);
  const kib = status === null ? null : parseVmRssKiB(status);
  return kib === null ? null : kib / 1024;
}

function allProcesses(): ProcessTicks[] {
  const out: ProcessTicks[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const line = readOrNull(`/proc/${entry}/stat`);
    const parsed = line === null ? null : parseProcessStat(line);
    if (parsed) out.push(parsed);
  }
  return out;
}

/**
 * The machine's CPU time and that of `root` (the runner) and all its descendants; null off Linux.
 */
export function cpuSnapshot(root: number = process.pid): CpuSnapshot | null {
  if (process.platform !== 'linux') return null;
  const stat = readOrNull('/proc/stat');
  const machine = stat === null ? null : parseMachineTicks(stat);
  if (!machine) return null;
  const processes = allProcesses();
  const ours = descendantsOf(root, processes);
  return {
    machine,
    ours: new Map(processes.filter((p) => ours.has(p.pid)).map((p) => [p.pid, p.own + p.children])),
  };
}
