import { describe, expect, it } from 'vitest';
import { formatGoals, mark, ratio, growthOf } from '../../bench/goals.ts';

describe('mark', () => {
  it('marks a lower bound met at the bound itself, and missed below it', () => {
    expect(mark({ value: 0.6, op: '≥', target: 0.6 })).toBe('✓');
    expect(mark({ value: 0.61, op: '≥', target: 0.6 })).toBe('✓');
    expect(mark({ value: 0.59, op: '≥', target: 0.6 })).toBe('✗');
  });

  it('marks an upper bound met at the bound itself, and missed above it', () => {
    expect(mark({ value: 1.5, op: '≤', target: 1.5 })).toBe('✓');
    expect(mark({ value: 1.51, op: '≤', target: 1.5 })).toBe('✗');
  });

  it('marks a figure that could not be measured with a dash, never a tick', () => {
    expect(mark({ value: Number.NaN, op: '≥', target: 0.6 })).toBe('—');
    expect(mark({ value: Number.POSITIVE_INFINITY, op: '≤', target: 1.2 })).toBe('—');
  });
});

describe('ratio', () => {
  it('divides', () => {
    expect(ratio(300, 20000)).toBeCloseTo(0.015, 10);
  });

  it('is unknown over zero or an unmeasured figure', () => {
    expect(ratio(300, 0)).toBeNaN();
    expect(ratio(Number.NaN, 10)).toBeNaN();
  });
});

describe('formatGoals', () => {
  it('prints each goal with its value, its bound and its mark, aligned', () => {
    const lines = formatGoals([
      { label: '/bench/ping ÷ bare', value: 0.6234, op: '≥', target: 0.6 },
      { label: 'p99 storm ÷ calm', value: 2, op: '≤', target: 1.5 },
      { label: 'x', value: Number.NaN, op: '≥', target: 0.05 },
    ]);
    expect(lines).toEqual([
      '/bench/ping ÷ bare   0.623  ≥ 0.6   ✓',
      'p99 storm ÷ calm     2.000  ≤ 1.5   ✗',
      'x                        —  ≥ 0.05  —',
    ]);
  });
});

describe('growthOf', () => {
  it('is the last sample minus the first, skipping the ones not read', () => {
    expect(growthOf([null, 180, 195, null, 210.5, null])).toBeCloseTo(30.5, 10);
    expect(growthOf([200, 190])).toBe(-10);
  });

  it('is unknown with fewer than two samples', () => {
    expect(growthOf([null, 180, null])).toBeNaN();
    expect(growthOf([])).toBeNaN();
  });
});
