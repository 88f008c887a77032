import { describe, expect, it } from 'vitest';
import {
  addWindows,
  cpuWindow,
  descendantsOf,
  otherWorkShare,
  ourShare,
  parseMachineTicks,
  parseProcessStat,
  parseVmRssKiB,
  type ProcessTicks,
} from '../../bench/procfs.ts';

describe('parseVmRssKiB', () => {
  it('reads the VmRSS line of /proc/<pid>/status', () => {
    const status =
      'Name:\tnode\nVmPeak:\t 1200000 kB\nVmRSS:\t  183412 kB\nRssAnon:\t  150000 kB\n';
    expect(parseVmRssKiB(status)).toBe(183412);
  });

  it('answers null without one (a kernel thread, a zombie)', () => {
    expect(parseVmRssKiB('Name:\tkthreadd\nState:\tS (sleeping)\n')).toBeNull();
  });
});

describe('parseMachineTicks', () => {
  it('adds user, nice, system, irq, softirq and steal as busy; idle and iowait only in the total', () => {
    const stat = 'cpu  100 20 30 400 50 6 7 8 90 0\ncpu0 1 2 3 4 5 6 7 8 9 0\nintr 1 2\n';
    expect(parseMachineTicks(stat)).toEqual({
      busy: 100 + 20 + 30 + 6 + 7 + 8,
      total: 100 + 20 + 30 + 6 + 7 + 8 + 400 + 50,
    });
  });

  it('reads an old kernel line of four fields', () => {
    expect(parseMachineTicks('cpu 10 0 5 85\n')).toEqual({ busy: 15, total: 100 });
  });

  it('answers null for anything else', () => {
    expect(parseMachineTicks('intr 1 2 3\n')).toBeNull();
    expect(parseMachineTicks('cpu  a b c d\n')).toBeNull();
  });
});

describe('parseProcessStat', () => {
  it('reads the parent and the CPU times', () => {
    const line =
      '15477 (cat) R 15474 15474 9487 0 -1 4194304 98 0 0 0 11 22 33 44 20 0 1 0 2258884 3133440 394';
    expect(parseProcessStat(line)).toEqual({ pid: 15477, ppid: 15474, own: 33, children: 77 });
  });

  it('counts the fields from the last parenthesis: a command name may hold spaces and ")"', () => {
    const line =
      '812 (postgres: a) b (c) S 700 700 700 0 -1 4194560 5 0 0 0 120 30 7 3 20 0 1 0 100 1000 50';
    expect(parseProcessStat(line)).toEqual({ pid: 812, ppid: 700, own: 150, children: 10 });
  });

  it('answers null for a truncated line', () => {
    expect(parseProcessStat('812 (node) S 700')).toBeNull();
    expect(parseProcessStat('garbage')).toBeNull();
  });
});

describe('descendantsOf', () => {
  const p = (pid: number, ppid: number): ProcessTicks => ({ pid, ppid, own: 0, children: 0 });

  it('finds the root and every process below it, and nothing else', () => {
    // 1 init; 10 npm → 11 runner → 12 server → 13 postgres → 14, 15 backends; 11 → 16 bare.
    const all = [
      p(1, 0),
      p(10, 1),
      p(11, 10),
      p(12, 11),
      p(13, 12),
      p(14, 13),
      p(15, 13),
      p(16, 11),
      p(20, 1),
    ];
    expect([...descendantsOf(11, all)].sort((a, b) => a - b)).toEqual([11, 12, 13, 14, 15, 16]);
  });

  it('is the root alone when it has no child', () => {
    expect([...descendantsOf(20, [p(1, 0), p(20, 1)])]).toEqual([20]);
  });
});

describe('cpuWindow and the shares', () => {
  const snapshot = (busy: number, total: number, ours: [number, number][]) => ({
    machine: { busy, total },
    ours: new Map(ours),
  });

  it('counts our time only for processes present at both ends', () => {
    const start = snapshot(1000, 5000, [
      [11, 100],
      [12, 300],
      [99, 50], // gone by the end: its time is in its parent's waited-children time
    ]);
    const end = snapshot(1300, 5400, [
      [11, 160],
      [12, 420],
      [13, 999], // appeared within the window: no starting point
    ]);
    expect(cpuWindow(start, end)).toEqual({ busy: 300, total: 400, ours: 180 });
  });

  it('other work is the busy time that is not ours, over all the cores', () => {
    const w = { busy: 300, total: 400, ours: 180 };
    expect(otherWorkShare(w)).toBeCloseTo(0.3, 10);
    expect(ourShare(w)).toBeCloseTo(0.45, 10);
  });

  it('never goes below zero when our processes were sampled a little after the machine', () => {
    expect(otherWorkShare({ busy: 100, total: 400, ours: 110 })).toBe(0);
  });

  it('is unknown for an empty window', () => {
    expect(otherWorkShare({ busy: 0, total: 0, ours: 0 })).toBeNaN();
    expect(ourShare({ busy: 0, total: 0, ours: 0 })).toBeNaN();
  });

  it('adds the windows of the phases', () => {
    expect(
      addWindows([
        { busy: 300, total: 400, ours: 180 },
        { busy: 100, total: 400, ours: 90 },
      ]),
    ).toEqual({ busy: 400, total: 800, ours: 270 });
    expect(
      otherWorkShare(
        addWindows([
          { busy: 300, total: 400, ours: 180 },
          { busy: 100, total: 400, ours: 90 },
        ]),
      ),
    ).toBeCloseTo(130 / 800, 10);
  });
});
