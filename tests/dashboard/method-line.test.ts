// The method line under a chart over a weekly history (snapshots backfilled from the Hub's weekly dumps) and in a
// standalone SVG: gaps counted in weeks, not as six missing days a week, and the whole line in the picture.
import { describe, expect, it } from 'vitest';
import { compactDay, type Day } from '../../src/dashboard/data.js';
import { chartFile } from '../../src/dashboard/embed.js';
import { cadenceDays, methodLine, shareSeries } from '../../src/dashboard/series.js';
import { DEFAULT_OVERVIEW, type OverviewState } from '../../src/dashboard/state.js';
import { methodLines } from '../../src/dashboard/svg.js';
import { yearSnapshot } from './fixtures.js';

const START = '2025-11-26';

/** The fixture's snapshots on the given day offsets from START. */
function daysAt(offsets: number[]): Day[] {
  return offsets.map((k) => compactDay(yearSnapshot(START, k, { previousDate: null, wisemodelHistoryFrom: 0 })));
}

const weekly = (weeks: number): number[] => Array.from({ length: weeks }, (_, i) => 7 * i);

function line(days: Day[], s: OverviewState = DEFAULT_OVERVIEW): string {
  return methodLine(days, s, shareSeries(days, s).nullDays);
}

describe('the method line over weekly snapshots', () => {
  it('counts a weekly history in weeks, and a week left out as one missing week', () => {
    const year = weekly(52);
    expect(cadenceDays(daysAt(year))).toBe(7);
    expect(line(daysAt(year))).toContain('Weekly snapshots; missing weeks: 0 of 52.');
    expect(line(daysAt(year.filter((k) => k !== 70)))).toContain('Weekly snapshots; missing weeks: 1 of 52.');
  });

  it('counts days where the snapshots are not all whole weeks apart (daily, or weekly dumps then daily live days)', () => {
    const daily = [0, 1, 2, 4, 5];
    expect(cadenceDays(daysAt(daily))).toBe(1);
    expect(line(daysAt(daily))).toContain('Missing days: 1 of 6.');
    const mixed = [...weekly(4), 22, 23];
    expect(cadenceDays(daysAt(mixed))).toBe(1);
    expect(line(daysAt(mixed))).toContain('Missing days: 18 of 24.');
    expect(line(daysAt([0]))).toContain('Missing days: 0 of 1.');
  });
});

describe('the method line of a standalone chart', () => {
  /** The method line's lines as drawn at the foot of the picture, with their baselines. */
  function foot(svg: string): Array<{ y: number; text: string }> {
    return [...svg.matchAll(/<text x="48" y="([\d.]+)" font-size="10.5" fill="#4B5563">([^<]*)<\/text>/g)].map((m) => ({
      y: Number(m[1]),
      text: m[2]!,
    }));
  }

  it('draws the whole line, broken between words, inside the picture', () => {
    const days = daysAt(weekly(52));
    // All three platforms combined: the longest window text, well past one line.
    const s: OverviewState = { ...DEFAULT_OVERVIEW, platform: 'combined' };
    const method = line(days, s);
    expect(method.length).toBeGreaterThan(200);
    const svg = chartFile(days, s);
    const drawn = foot(svg);
    expect(drawn.length).toBeGreaterThan(1);
    expect(drawn.map((d) => d.text).join(' ')).toBe(method);
    const height = Number(/viewBox="0 0 \d+ (\d+)"/.exec(svg)![1]);
    for (const d of drawn) expect(d.y).toBeLessThanOrEqual(height - 4);
    // The date labels (at the plot's foot + 16) stay above the first line.
    const dateLabels = [...svg.matchAll(/<text x="[\d.]+" y="([\d.]+)" text-anchor="middle" font-size="11"/g)];
    expect(dateLabels.length).toBeGreaterThan(0);
    for (const m of dateLabels) expect(Number(m[1])).toBeLessThan(drawn[0]!.y - 12);
  });

  it('keeps to three lines, ending the third with an ellipsis, never mid-word', () => {
    const words = Array.from({ length: 120 }, (_, i) => `word${i}`);
    const lines = methodLines(words.join(' '), 720);
    expect(lines).toHaveLength(3);
    expect(lines[2]!.endsWith(' …')).toBe(true);
    const kept = lines.join(' ').replace(/ …$/, '').split(' ');
    expect(kept).toEqual(words.slice(0, kept.length));
    expect(methodLines('Short.', 720)).toEqual(['Short.']);
  });
});
