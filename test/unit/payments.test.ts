import { describe, expect, it } from 'vitest';
import {
  benefitOrder,
  groupByMonth,
  memoized,
  monthRange,
  monthsEndingWith,
  netOf,
  periodLabel,
  yearsOf,
  type Payment,
} from '#src/domain/payments.ts';

let next = 0;
function paid(paidOn: string, benefit: string, netCents: number, grossCents = netCents): Payment {
  next += 1;
  return {
    id: String(next),
    paidOn,
    benefit,
    periodStart: `${paidOn.slice(0, 8)}01`,
    periodEnd: `${paidOn.slice(0, 8)}28`,
    grossCents,
    netCents,
  };
}

describe('the months of Mes paiements', () => {
  it('ends with the current month and counts back across years, oldest first', () => {
    const months = monthsEndingWith(new Date('2026-11-23T10:00:00Z'), 24);
    expect(months).toHaveLength(24);
    expect(months[0]).toBe('2024-12');
    expect(months[23]).toBe('2026-11');
    expect(new Set(months).size).toBe(24);
    expect(monthsEndingWith(new Date('2026-01-01T00:00:00Z'), 2)).toEqual(['2025-12', '2026-01']);
  });

  it('gives the half-open range the single query reads, and the years of the filter', () => {
    expect(monthRange('2024-12', '2026-11')).toEqual({ from: '2024-12-01', before: '2026-12-01' });
    expect(monthRange('2025-01', '2025-12')).toEqual({ from: '2025-01-01', before: '2026-01-01' });
    expect(yearsOf(['2024-12', '2025-01', '2026-11'])).toEqual([2026, 2025, 2024]);
  });
});

describe('groupByMonth', () => {
  it('keeps every month asked for, a month without payment included, with per-benefit totals', () => {
    const payments = [
      paid('2026-10-05', 'Allocations familiales', 15105),
      paid('2026-10-05', 'Aide personnalisée au logement', 23841),
      paid('2026-08-05', 'Allocations familiales', 15105),
    ];
    const groups = groupByMonth(payments, ['2026-08', '2026-09', '2026-10']);
    expect(groups.map((g) => g.month)).toEqual(['2026-08', '2026-09', '2026-10']);
    expect(groups[1]).toMatchObject({ payments: [], byBenefit: [], totalCents: 0 });
    expect(groups[2]?.totalCents).toBe(15105 + 23841);
    // Family allowances were paid most over the period (two months): first in every month.
    expect(groups[2]?.byBenefit).toEqual([
      { benefit: 'Allocations familiales', cents: 15105 },
      { benefit: 'Aide personnalisée au logement', cents: 23841 },
    ]);
    expect(groups[0]?.byBenefit).toEqual([{ benefit: 'Allocations familiales', cents: 15105 }]);
  });

  it('adds two payments of one benefit in one month, and leaves out months not asked for', () => {
    const groups = groupByMonth(
      [
        paid('2026-03-05', 'Revenu de solidarité active', 64652),
        paid('2026-03-20', 'Revenu de solidarité active', 1000),
        paid('2025-03-05', 'Revenu de solidarité active', 63571),
      ],
      ['2026-03'],
    );
    expect(groups).toHaveLength(1);
    expect(groups[0]?.byBenefit).toEqual([
      { benefit: 'Revenu de solidarité active', cents: 65652 },
    ]);
    expect(groups[0]?.payments.map((p) => p.paidOn)).toEqual(['2026-03-05', '2026-03-20']);
  });

  it('orders benefits by total paid, then by name, the same in every month', () => {
    const order = benefitOrder([
      paid('2026-01-05', 'B', 100),
      paid('2026-02-05', 'B', 100),
      paid('2026-01-05', 'A', 150),
      paid('2026-01-05', 'C', 200),
    ]);
    expect(order).toEqual(['B', 'C', 'A']);
  });
});

describe('a payment’s detail', () => {
  it('nets the deductions off the gross amount, in cents', () => {
    expect(netOf(23841, [{ label: 'Retenue sur trop-perçu', amountCents: 4500 }])).toBe(19341);
    expect(netOf(15105, [])).toBe(15105);
  });

  it('names a whole month, and any other period by its days', () => {
    expect(periodLabel('2026-10-01', '2026-10-31')).toBe('octobre 2026');
    expect(periodLabel('2024-02-01', '2024-02-29')).toBe('février 2024');
    expect(periodLabel('2026-10-01', '2026-10-30')).toBe('du 1er octobre 2026 au 30 octobre 2026');
    expect(periodLabel('2026-09-15', '2026-10-31')).toBe('du 15 septembre 2026 au 31 octobre 2026');
  });
});

describe('memoized: the labels of dates computed once, in a bounded memo', () => {
  it('answers as the function does, calls it once a key, and never keeps more than its size', () => {
    const calls: string[] = [];
    const upper = memoized((k) => {
      calls.push(k);
      return k.toUpperCase();
    }, 2);
    expect([upper('a'), upper('a'), upper('b'), upper('a')]).toEqual(['A', 'A', 'B', 'A']);
    expect(calls).toEqual(['a', 'b']);
    // Full: cleared before the third key, so 'a' is computed again.
    expect([upper('c'), upper('a')]).toEqual(['C', 'A']);
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });

  it('gives the same period labels the second time (memo hit) as the first', () => {
    for (let k = 0; k < 2; k++) {
      expect(periodLabel('2026-10-01', '2026-10-31')).toBe('octobre 2026');
      expect(periodLabel('2026-10-01', '2026-10-30')).toBe(
        'du 1er octobre 2026 au 30 octobre 2026',
      );
    }
  });

  it('groups the same with the benefit order given as without it', () => {
    const payments = [
      paid('2026-10-05', 'Allocations familiales', 15105),
      paid('2026-10-20', 'Aide personnalisée au logement', 23841),
      paid('2026-10-05', 'Aide personnalisée au logement', 100),
      paid('2026-08-05', 'Allocations familiales', 15105),
    ];
    const months = ['2026-08', '2026-09', '2026-10'];
    expect(groupByMonth(payments, months, benefitOrder(payments))).toEqual(
      groupByMonth(payments, months),
    );
    expect(groupByMonth(payments, months)[2]?.payments.map((p) => p.paidOn)).toEqual([
      '2026-10-05',
      '2026-10-05',
      '2026-10-20',
    ]);
  });
});
