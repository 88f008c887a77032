import { describe, expect, it } from 'vitest';
import { formatParisDateTime, parseParisDateTime } from '#src/http/paris-time.ts';

describe('JJ/MM/AAAA HH:MM in Europe/Paris', () => {
  it('reads winter (UTC+1) and summer (UTC+2) times', () => {
    expect(parseParisDateTime('15/01/2027 22:00')?.toISOString()).toBe('2027-01-15T21:00:00.000Z');
    expect(parseParisDateTime('1/7/2030 08h05')?.toISOString()).toBe('2030-07-01T06:05:00.000Z');
  });

  it('refuses impossible dates and the hour skipped in spring', () => {
    for (const v of [
      '31/02/2030 22:00',
      '12/13/2026 10:00',
      '01/01/2026 24:00',
      '28/03/2027 02:30',
      '01/01/2026',
      '',
    ])
      expect({ v, at: parseParisDateTime(v) }).toEqual({ v, at: null });
  });

  it('writes back what it reads, either side of the autumn change', () => {
    for (const v of ['31/10/2027 01:59', '31/10/2027 03:00', '29/02/2028 00:00'])
      expect(formatParisDateTime(parseParisDateTime(v) ?? new Date(0))).toBe(v);
  });
});
