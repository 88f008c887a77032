import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cycleOpenOn,
  declarationPeriod,
  isDeclarationCycle,
  quarterLabel,
  quarterStartingOn,
  type DeclarationCycle,
} from '#src/domain/quarterly-declaration.ts';

const cycles = fc.constantFrom<DeclarationCycle>(0, 1, 2);
const moments = fc.date({
  min: new Date('2020-01-01T00:00:00Z'),
  max: new Date('2035-12-31T23:59:59Z'),
  noInvalidDate: true,
});

describe('the declaration period', () => {
  it('a quarter of August to October is declared in November, 1st to 30th (Paris days)', () => {
    const cycle = cycleOpenOn(new Date('2026-11-23T12:00:00Z'));
    expect(cycle).toBe(1);
    expect(declarationPeriod(cycle, new Date('2026-11-01T00:00:00+01:00'))).toEqual({
      open: true,
      quarter: { start: '2026-08-01', months: ['2026-08-01', '2026-09-01', '2026-10-01'] },
      closesOn: '2026-11-30',
    });
    expect(declarationPeriod(cycle, new Date('2026-11-30T23:59:00+01:00')).open).toBe(true);
    // 31 October, 23:30 in Paris is still October: closed, opens on 1 November.
    expect(declarationPeriod(cycle, new Date('2026-10-31T22:30:00Z'))).toEqual({
      open: false,
      opensOn: '2026-11-01',
      quarter: { start: '2026-08-01', months: ['2026-08-01', '2026-09-01', '2026-10-01'] },
    });
    expect(declarationPeriod(cycle, new Date('2026-12-01T00:00:00+01:00'))).toMatchObject({
      open: false,
      opensOn: '2027-02-01',
      quarter: { start: '2026-11-01' },
    });
  });

  it('each cycle opens one month in three, for the three months just ended', () => {
    fc.assert(
      fc.property(cycles, moments, (cycle, now) => {
        const period = declarationPeriod(cycle, now);
        if (!period.open) return;
        const opened = period;
        const [, , last] = opened.quarter.months;
        const closes = new Date(`${opened.closesOn}T00:00:00Z`);
        // The month declared is the one just before the closing month.
        expect(new Date(`${last}T00:00:00Z`).getUTCMonth()).toBe((closes.getUTCMonth() + 11) % 12);
        expect(new Date(closes.getTime() + 86_400_000).getUTCDate()).toBe(1);
      }),
    );
  });

  it('when closed, the next opening is within three months, on a 1st, and is open then', () => {
    fc.assert(
      fc.property(cycles, moments, (cycle, now) => {
        const period = declarationPeriod(cycle, now);
        if (period.open) return;
        expect(period.opensOn.endsWith('-01')).toBe(true);
        const opening = new Date(`${period.opensOn}T12:00:00Z`);
        expect(opening.getTime()).toBeGreaterThan(now.getTime());
        expect(opening.getTime() - now.getTime()).toBeLessThan(92 * 86_400_000);
        expect(declarationPeriod(cycle, opening)).toMatchObject({
          open: true,
          quarter: period.quarter,
        });
      }),
    );
  });

  it('in any month exactly one of the three cycles is open', () => {
    fc.assert(
      fc.property(moments, (now) => {
        const open = ([0, 1, 2] as const).filter((c) => declarationPeriod(c, now).open);
        expect(open).toEqual([cycleOpenOn(now)]);
      }),
    );
  });

  it('names quarters in French, with the year once or on each month across a new year', () => {
    const q = quarterStartingOn('2026-08-01');
    const over = quarterStartingOn('2026-11-01');
    if (!q || !over) throw new Error('quarters');
    expect(quarterLabel(q)).toBe('août, septembre et octobre 2026');
    expect(quarterLabel(over)).toBe('novembre 2026, décembre 2026 et janvier 2027');
    expect(quarterStartingOn('2026-13-01')).toBeNull();
    expect(quarterStartingOn('2026-08-02')).toBeNull();
    expect([0, 1, 2, 3, -1, '1'].map(isDeclarationCycle)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
