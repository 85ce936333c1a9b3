import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  addWeeks,
  isoWeekOf,
  isValidIsoWeek,
  lastFullWeek,
  parseIsoWeek,
  weeksEndingWith,
  weeksInIsoYear,
} from '../../src/digest/isoweek.js';

describe('ISO weeks (UTC)', () => {
  it('parses a week into its Monday-to-Sunday dates and release window', () => {
    const w = parseIsoWeek('2026-W48');
    expect(w).toMatchObject({ week: '2026-W48', year: 2026, number: 48, start: '2026-11-23', end: '2026-11-29' });
    expect(w.days).toEqual([
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
      '2026-11-26',
      '2026-11-27',
      '2026-11-28',
      '2026-11-29',
    ]);
    expect(w.startInstant).toBe('2026-11-23T00:00:00.000Z');
    expect(w.endExclusiveInstant).toBe('2026-11-30T00:00:00.000Z');
  });

  it('puts days at year boundaries in the week of their Thursday', () => {
    expect(isoWeekOf('2027-01-01').week).toBe('2026-W53'); // 2026 starts on a Thursday: 53 weeks
    expect(isoWeekOf('2024-12-30').week).toBe('2025-W01');
    expect(isoWeekOf('2021-01-03').week).toBe('2020-W53');
    expect(parseIsoWeek('2025-W01').start).toBe('2024-12-30');
    expect(weeksInIsoYear(2026)).toBe(53);
    expect(weeksInIsoYear(2025)).toBe(52);
    expect(isoWeekOf(new Date('2026-11-29T23:59:59.999Z')).week).toBe('2026-W48');
    expect(isoWeekOf(new Date('2026-11-30T00:00:00.000Z')).week).toBe('2026-W49');
  });

  it('takes the last full week before now as the default', () => {
    expect(lastFullWeek(new Date('2026-11-25T12:00:00Z'))).toBe('2026-W47');
    // Monday morning, when the weekly schedule runs: the week that just ended.
    expect(lastFullWeek(new Date('2026-11-30T06:00:00Z'))).toBe('2026-W48');
    expect(lastFullWeek(new Date('2027-01-05T00:00:00Z'))).toBe('2026-W53');
  });

  it('does week arithmetic across years', () => {
    expect(addWeeks('2026-W53', 1)).toBe('2027-W01');
    expect(addWeeks('2027-W01', -1)).toBe('2026-W53');
    expect(addWeeks('2026-W48', -8)).toBe('2026-W40');
    expect(weeksEndingWith('2027-W02', 4)).toEqual(['2026-W52', '2026-W53', '2027-W01', '2027-W02']);
  });

  it('refuses malformed and nonexistent weeks with a usage error (exit code 2)', () => {
    for (const bad of [
      '2026-48',
      '2026-W4',
      '2026-w48',
      '2026-W00',
      '2025-W53',
      'W48',
      '',
      '2026-W48 ',
      '2026-W48.html',
    ]) {
      let err: unknown;
      try {
        parseIsoWeek(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(InputError);
      expect((err as InputError).exitCode).toBe(2);
      expect((err as Error).message).toMatch(/week/i);
      expect(isValidIsoWeek(bad)).toBe(false);
    }
    expect(() => parseIsoWeek('2025-W53')).toThrow(/weeks 01 to 52/);
    expect(isValidIsoWeek('2026-W53')).toBe(true);
  });
});
