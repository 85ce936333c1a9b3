// The overview: country shares over time for one metric, view, scope and platform (the URL says which), the
// latest day's table beside the picture, one line of method under both, and the data behind it to download.
import { listOf, type Day } from '../data.js';
import { countryName } from '../../normalise/countries.js';
import { fmtInt, fmtPct, fmtPp, METRIC_LABELS, own, platformLabel, SCOPE_LABELS, VIEW_LABELS } from '../format.js';
import { figure, link, optionGroup, table, type Choice } from '../html.js';
import type { Links } from '../links.js';
import { methodLine, shareBefore, shareSeries } from '../series.js';
import { DASH_METRICS, DASH_PLATFORMS, type OverviewState } from '../state.js';
import { stackedAreaSvg } from '../svg.js';

export function overviewTitle(s: OverviewState): string {
  return `Share of ${METRIC_LABELS[s.metric]} by country: ${SCOPE_LABELS[s.scope]}, ${platformLabel(s.platform)}, ${s.view} view`;
}

export function sharesChart(
  days: Day[],
  s: OverviewState,
  id: string,
  standalone = false,
): { svg: string; method: string } {
  const ss = shareSeries(days, s);
  const method = methodLine(days, s, ss.nullDays);
  const latest = ss.latest?.list;
  const lead = latest?.shares
    .slice(0, 3)
    .map((e) => `${countryName(e.country)} ${fmtPct(e.share)}`)
    .join(', ');
  const svg = stackedAreaSvg({
    id,
    title: overviewTitle(s),
    desc:
      `Stacked areas, one per country, ${ss.dates[0] ?? ''} to ${ss.latest?.date ?? ''}. ` +
      (lead ? `On ${ss.latest!.date}: ${lead}.` : 'No figure on the latest day.'),
    dates: ss.dates,
    series: ss.series,
    ...(standalone ? { standalone: { methodLine: method } } : {}),
  });
  return { svg, method };
}

function controls(s: OverviewState, links: Links): string {
  const choice = <K extends keyof OverviewState>(key: K, value: OverviewState[K], label: string): Choice => ({
    label,
    href: links.overview({ ...s, [key]: value }),
    current: s[key] === value,
  });
  return `<nav class="controls" aria-label="Chart options">
${optionGroup(
  'o-metric',
  'Metric',
  DASH_METRICS.map((m) => choice('metric', m, METRIC_LABELS[m])),
)}
${optionGroup(
  'o-view',
  'View',
  (['origin', 'publisher'] as const).map((v) => choice('view', v, VIEW_LABELS[v])),
)}
${optionGroup(
  'o-scope',
  'Scope',
  (['all', 'llm'] as const).map((v) => choice('scope', v, SCOPE_LABELS[v])),
)}
${optionGroup(
  'o-platform',
  'Platform',
  DASH_PLATFORMS.map((p) => choice('platform', p, platformLabel(p))),
)}
</nav>`;
}

function latestTable(days: Day[], s: OverviewState): string {
  const last = days[days.length - 1];
  const list = last ? listOf(last, s) : null;
  if (!last || !list || list.total === 0) {
    return `<p class="empty">No figure for this selection${last ? ` on ${own(last.date)}` : ''}.</p>`;
  }
  const rows = list.shares.slice(0, 20).map((e) => {
    const before = shareBefore(days, s, e.country, 7);
    return [
      own(countryName(e.country)) + (e.country === 'ZZ' ? '' : ` <span class="code">${own(e.country)}</span>`),
      fmtPct(e.share),
      fmtInt(e.value),
      before === null ? '–' : fmtPp(e.share - before),
    ];
  });
  const rest = list.shares.length - 20;
  return (
    table(
      `Latest day, ${last.date}: share of ${METRIC_LABELS[s.metric]} (total ${fmtInt(list.total)})`,
      [
        { head: 'Country' },
        { head: 'Share', num: true },
        { head: 'Value', num: true },
        { head: 'vs 7 days earlier', num: true },
      ],
      rows,
    ) + (rest > 0 ? `<p class="note">${rest} more countries in the CSV.</p>` : '')
  );
}

/** The chart's data as a table: one row a week (the last day always), the CSV has every day. */
function seriesTable(days: Day[], s: OverviewState): string {
  const ss = shareSeries(days, s);
  const idx: number[] = [];
  for (let i = ss.dates.length - 1; i >= 0; i -= 7) idx.unshift(i);
  const cols = [{ head: 'Date' }, ...ss.series.map((x) => ({ head: x.label, num: true }))];
  const rows = idx.map((i) => [
    own(ss.dates[i]!),
    ...ss.series.map((x) => (x.values[i] === null ? '–' : fmtPct(x.values[i]))),
  ]);
  return `<details class="series"><summary>The chart's data as a table (weekly; every day in the CSV)</summary>${table(
    'Share by country over time',
    cols,
    rows,
  )}</details>`;
}

export function overviewBody(days: Day[], s: OverviewState, links: Links): string {
  const { svg, method } = sharesChart(days, s, 'ov');
  const last = days[days.length - 1];
  const top = last ? listOf(last, s)?.shares.find((e) => e.country !== 'ZZ') : undefined;
  const badge = top ? links.badge(s, top.country) : null;
  const data = `<ul class="data-links">
<li>${link(links.sharesCsv(s), 'CSV')}</li><li>${link(links.sharesJson(s), 'JSON')}</li>
<li>${link(links.chartSvg(s), 'Chart as SVG (embeddable)')}</li>${badge ? `<li>${link(badge, `Badge: ${own(top!.country)} share`)}</li>` : ''}
</ul>`;
  return `<h1>${own(overviewTitle(s))}</h1>
<p class="lede">Which countries hold the ${own(METRIC_LABELS[s.metric])} of open models, day by day. <strong>Origin</strong> counts a model for the country of the organisation whose model it is (following fine-tunes and quantisations to their root); <strong>publisher</strong> for whoever uploaded it. Unknown attribution is its own band, never dropped.</p>
${controls(s, links)}
${figure('shares', 'Shares over time, and the latest day', svg, latestTable(days, s), method, data)}
${seriesTable(days, s)}`;
}
