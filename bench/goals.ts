/** The goals of issue 12 as the bench prints them: a ratio, its bound, and a mark. Pure. */

export interface Goal {
  readonly label: string;
  readonly value: number;
  readonly op: '≥' | '≤';
  readonly target: number;
}

/** ✓ when the ratio meets its goal, ✗ when not, — when it could not be measured. */
export function mark(goal: Pick<Goal, 'value' | 'op' | 'target'>): '✓' | '✗' | '—' {
  if (!Number.isFinite(goal.value)) return '—';
  const met = goal.op === '≥' ? goal.value >= goal.target : goal.value <= goal.target;
  return met ? '✓' : '✗';
}

export function ratio(numerator: number, denominator: number): number {
  return denominator > 0 && Number.isFinite(numerator) ? numerator / denominator : Number.NaN;
}

/** The goal rows, aligned: "label   0.612  ≥ 0.6  ✓". */
export function formatGoals(goals: readonly Goal[], digits = 3): string[] {
  const width = Math.max(...goals.map((g) => g.label.length));
  return goals.map((g) => {
    const value = Number.isFinite(g.value) ? g.value.toFixed(digits) : '—';
    return `${g.label.padEnd(width)}  ${value.padStart(digits + 3)}  ${g.op} ${String(g.target).padEnd(5)} ${mark(g)}`;
  });
}

/**
 * Growth from the first to the last of the samples taken after page phases (RSS or heap, MiB);
 * NaN when fewer than two were read.
 */
export function growthOf(samples: readonly (number | null)[]): number {
  const known = samples.filter((s): s is number => s !== null && Number.isFinite(s));
  const first = known[0];
  const last = known[known.length - 1];
  return known.length >= 2 && first !== undefined && last !== undefined ? last - first : Number.NaN;
}
