// The one home of UTC day arithmetic (src/time.ts): every module that names a day relative to another uses it.
import { describe, expect, it } from 'vitest';
import { addDays, dateOfDayNumber, dayNumber, todayUtc } from '../src/time.js';

describe('UTC day arithmetic', () => {
  it('adds and subtracts days across month, year and leap-day boundaries', () => {
    expect(addDays('2026-11-20', 0)).toBe('2026-11-20');
    expect(addDays('2026-11-20', 11)).toBe('2026-12-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2026-11-20', -30)).toBe('2026-10-21');
  });

  it('refuses a string that names no day', () => {
    expect(() => addDays('2026-13-45', 1)).toThrow(RangeError);
    expect(() => addDays('yesterday', 1)).toThrow(RangeError);
  });

  it('numbers days from 1970-01-01, an instant by its UTC day, and back', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(dayNumber('1969-12-31')).toBe(-1);
    expect(dayNumber('2026-11-20T23:59:59.999Z')).toBe(dayNumber('2026-11-20'));
    expect(dayNumber('nonsense')).toBeNaN();
    expect(dateOfDayNumber(dayNumber('2026-11-20'))).toBe('2026-11-20');
    expect(dateOfDayNumber(-1)).toBe('1969-12-31');
  });

  it('names the UTC day of an instant, whatever the local zone', () => {
    expect(todayUtc(new Date('2026-11-20T23:30:00-05:00'))).toBe('2026-11-21');
  });
});
