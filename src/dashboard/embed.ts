// Standalone pictures for other pages: any overview chart as its own SVG file, and a README badge such as
// "CN share of LLM downloads | 61%". Both carry their own title (and the chart its method line).
import type { Day } from './data.js';
import { listOf } from './data.js';
import { fmtPct } from './format.js';
import { sharesChart } from './pages/overview.js';
import type { OverviewState } from './state.js';
import { badgeSvg } from './svg.js';

const BADGE_METRIC: Record<OverviewState['metric'], string> = {
  downloads30d: 'downloads',
  derivatives: 'derivatives',
  newReleases: 'new releases',
  likes: 'likes',
};

export function chartFile(days: Day[], s: OverviewState): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${sharesChart(days, s, 'hw', true).svg}\n`;
}

export function badgeFile(days: Day[], s: OverviewState, country: string): string {
  const last = days[days.length - 1];
  const list = last ? listOf(last, s) : null;
  const what = `${s.scope === 'llm' ? 'LLM ' : ''}${BADGE_METRIC[s.metric]}`;
  const label = `${country === 'ZZ' ? 'unattributed' : country} share of ${what}`;
  const value = list && list.total > 0 ? fmtPct(list.shares.find((e) => e.country === country)?.share ?? 0, 0) : 'n/a';
  return `${badgeSvg(label, value)}\n`;
}
