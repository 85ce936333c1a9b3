// Words and numbers as the dashboard shows them. Platform strings go through `text`/`attr` only: cleaned of
// controls and bidi overrides, capped, escaped, and isolated in <bdi> so right-to-left names stay in their cell.
import { cleanText, escapeHtml, fmtGrowth, fmtInt, fmtPct, fmtRam, KIND_LABELS, safeUrl } from '../digest/escape.js';
import { PLATFORM_LABELS } from '../sources/registry.js';
import type { DashMetric, DashPlatform } from './state.js';

export { escapeHtml, fmtGrowth, fmtInt, fmtPct, fmtRam, KIND_LABELS, safeUrl };

/** Longest platform string shown anywhere on a page (names, organisations, licences). */
export const NAME_CAP = 120;

/** A platform string as HTML text. */
export function text(s: string | null | undefined, max = NAME_CAP): string {
  return `<bdi>${escapeHtml(cleanText(s, max))}</bdi>`;
}

/** A platform string inside a quoted attribute (title, aria-label, value). */
export function attr(s: string | null | undefined, max = NAME_CAP): string {
  return escapeHtml(cleanText(s, max));
}

/** Our own words (labels, dates, numbers): escaped all the same, since some embed values from the URL. */
export function own(s: string): string {
  return escapeHtml(s);
}

export const METRIC_LABELS: Record<DashMetric, string> = {
  downloads30d: '30-day downloads',
  derivatives: 'derivative models',
  newReleases: 'new releases',
  likes: 'likes',
};

export const VIEW_LABELS = { origin: 'origin (whose model)', publisher: 'publisher (who uploaded)' } as const;
export const SCOPE_LABELS = { all: 'all models', llm: 'language models (llm)' } as const;

export function platformLabel(p: DashPlatform): string {
  return p === 'combined' ? 'all platforms' : (PLATFORM_LABELS[p] ?? p);
}

export function kindLabel(k: string): string {
  return KIND_LABELS[k] ?? k;
}

/** Percentage points with a sign, for changes of share. */
export function fmtPp(delta: number | null): string {
  if (delta === null || !Number.isFinite(delta)) return '–';
  const pp = delta * 100;
  if (Math.abs(pp) < 0.05) return '±0.0 pp';
  return `${pp > 0 ? '+' : '−'}${Math.abs(pp).toFixed(1)} pp`;
}

/** Compact numbers for axes and badges: 1.2M, 35k. */
export function fmtCompact(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${trim(n / 1e9)}B`;
  if (a >= 1e6) return `${trim(n / 1e6)}M`;
  if (a >= 1e3) return `${trim(n / 1e3)}k`;
  return String(Math.round(n));
}

function trim(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1).replace(/\.0$/, '');
}
