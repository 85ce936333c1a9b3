// Races: who gains on whom over time. Families and organisations by 30-day downloads, licence classes (over time,
// and by country on the latest day), and the registry's kinds (big tech, AI start-ups, academic, …), each with its
// table and its method line.
import { LICENSE_CLASSES } from '../../model.js';
import { LICENSE_COUNTRY_METRICS, type LicenseCountryRow } from '../../snapshot/types.js';
import { daysBetween, type Day } from '../data.js';
import {
  fmtCompact,
  fmtInt,
  fmtPct,
  kindLabel,
  METRIC_LABELS,
  own,
  platformLabel,
  SCOPE_LABELS,
  text,
  VIEW_LABELS,
} from '../format.js';
import { countryName } from '../../normalise/countries.js';
import { figure, link, notice, optionGroup, table } from '../html.js';
import { licenceTableOf } from '../licences.js';
import type { Links } from '../links.js';
import { DASH_PLATFORMS, type RacesState } from '../state.js';
import { GREY_UNATTRIBUTED, lineChartSvg, stackedAreaSvg, stackedBarsSvg, type BarKey, type Series } from '../svg.js';

const TOP = 8;

function coverageWords(days: Day[]): string {
  const last = days[days.length - 1]!;
  const span = daysBetween(days[0]!.date, last.date) + 1;
  const cov = Object.values(last.coverage);
  return `Coverage ${last.date}: ${cov.filter((c) => c?.complete).length} of ${cov.length} platforms complete. Missing days: ${span - days.length} of ${span}.`;
}

/** Series of one figure per named row (family, organisation), for the rows leading on the last day. */
function rowsOverTime<R>(
  days: Day[],
  rowsOf: (d: Day) => R[],
  name: (r: R) => string,
  value: (r: R) => number,
): Series[] {
  const lead = rowsOf(days[days.length - 1]!)
    .slice(0, TOP)
    .map(name);
  return lead.map((n) => ({
    key: n,
    label: n,
    values: days.map((d) => {
      const r = rowsOf(d).find((x) => name(x) === n);
      return r === undefined ? null : value(r);
    }),
  }));
}

function sharesOver<R>(
  days: Day[],
  rowsOf: (d: Day) => R[],
  name: (r: R) => string,
  value: (r: R) => number,
  label: (k: string) => string,
): Series[] {
  const keys = new Set<string>();
  for (const d of days) for (const r of rowsOf(d)) keys.add(name(r));
  const last = rowsOf(days[days.length - 1]!);
  const order = [...keys].sort(
    (a, b) => (value(last.find((r) => name(r) === b)!) ?? 0) - (value(last.find((r) => name(r) === a)!) ?? 0) || 0,
  );
  return order.map((k) => ({
    key: k,
    label: label(k),
    values: days.map((d) => {
      const rows = rowsOf(d);
      const total = rows.reduce((s, r) => s + value(r), 0);
      if (total === 0) return null;
      const r = rows.find((x) => name(x) === k);
      return r ? value(r) / total : 0;
    }),
  }));
}

function rowLabel(r: LicenseCountryRow): string {
  if (r.country === 'other') return `other countries (${r.countries})`;
  return countryName(r.country);
}

/** Licence classes within each country on the latest day: one 100% bar per country, its table, its data. */
function licencesByCountry(days: Day[], s: RacesState, links: Links, cov: string): string {
  const last = days[days.length - 1]!;
  const choice = <K extends keyof RacesState>(key: K, value: RacesState[K], label: string) => ({
    label,
    href: `${links.racesState({ ...s, [key]: value })}#licences-by-country`,
    current: s[key] === value,
  });
  const controls = `<nav class="controls" aria-label="Licence chart options">
${optionGroup(
  'r-lmetric',
  'Metric',
  LICENSE_COUNTRY_METRICS.map((m) => choice('licMetric', m, METRIC_LABELS[m])),
)}
${optionGroup(
  'r-lscope',
  'Scope',
  (['all', 'llm'] as const).map((v) => choice('licScope', v, SCOPE_LABELS[v])),
)}
${optionGroup(
  'r-lplatform',
  'Platform',
  DASH_PLATFORMS.map((p) => choice('licPlatform', p, platformLabel(p))),
)}
</nav>`;
  const head = `<h2 id="licences-by-country-h">Licence classes by country</h2>`;
  if (!last.licenseByCountry) {
    return `<section class="fig" id="licences-by-country" aria-labelledby="licences-by-country-h">${head}${notice(
      `The snapshot of ${own(last.date)} was written before snapshots carried licence classes by country; the next snapshot will.`,
    )}</section>`;
  }
  const t = licenceTableOf(last, s);
  const what = `${METRIC_LABELS[s.licMetric]}, ${SCOPE_LABELS[s.licScope]}, ${platformLabel(s.licPlatform)}, ${s.view} view`;
  const present = LICENSE_CLASSES.filter((c) =>
    t?.rows.some((r) => r.classes.some((x) => x.class === c && x.value > 0)),
  );
  const keys: BarKey[] = LICENSE_CLASSES.map((c) =>
    c === 'unknown' ? { key: c, label: c, color: GREY_UNATTRIBUTED, pattern: 'dots' } : { key: c, label: c },
  );
  const rows = t?.rows ?? [];
  const lead = rows[0];
  const svg = stackedBarsSvg({
    id: 'licc',
    title: `Licence classes within each country: ${what}`,
    desc: lead
      ? `One bar per country, split by licence class, on ${last.date}. ${rowLabel(lead)}: ${lead.classes.map((c) => `${c.class} ${fmtPct(c.share)}`).join(', ')}.`
      : `No figure for this selection on ${last.date}.`,
    keys,
    bars: rows.map((r) => ({
      label: rowLabel(r),
      note: fmtCompact(r.total),
      segments: r.classes.map((c) => ({ key: c.class, value: c.value, share: c.share })),
    })),
  });
  const tableHtml = rows.length
    ? table(
        `Licence classes by country on ${last.date}: ${what}`,
        [
          { head: 'Country' },
          { head: METRIC_LABELS[s.licMetric], num: true },
          ...present.map((c) => ({ head: c, num: true })),
        ],
        rows.map((r) => [
          own(rowLabel(r)) +
            (r.country.length === 2 && r.country !== 'ZZ' ? ` <span class="code">${own(r.country)}</span>` : ''),
          fmtInt(r.total),
          ...present.map((c) => {
            const x = r.classes.find((k) => k.class === c);
            return x ? fmtPct(x.share) : '–';
          }),
        ]),
      )
    : `<p class="empty">No figure for this selection on ${own(last.date)}.</p>`;
  const windows = last.metrics[s.licMetric]?.window ?? {};
  const included =
    s.licPlatform === 'combined'
      ? (last.licenseByCountry.metrics?.[s.licMetric]?.scopes?.[s.licScope]?.[s.view]?.combinedPlatforms ?? [])
      : [s.licPlatform];
  const windowText = included.length
    ? included.map((p) => `${platformLabel(p)} ${String(windows[p] ?? 'n/a').slice(0, 60)}`).join('; ')
    : 'no platform has this figure yet';
  const method =
    `Share of each licence class within the country's ${METRIC_LABELS[s.licMetric]} (each bar sums to 100%). ` +
    `The ${last.licenseByCountry.topCountries} leading countries have their own bar, the other known ones are summed, unattributed (ZZ) is its own bar. ` +
    `Window: ${windowText}. ${cov}`;
  const data = `<ul class="data-links"><li>${link(links.licencesCsv(), 'CSV (every metric, scope, view and platform)')}</li><li>${link(links.licencesJson(), 'JSON')}</li></ul>`;
  return `<section class="fig" id="licences-by-country" aria-labelledby="licences-by-country-h">${head}
${controls}
<figure><div class="chart-box">${svg}</div>${tableHtml}<figcaption class="method">${own(method)}</figcaption></figure>${data}</section>`;
}

export function racesBody(days: Day[], s: RacesState, links: Links): string {
  const view = s.view;
  const last = days[days.length - 1]!;
  const dates = days.map((d) => d.date);
  const cov = coverageWords(days);
  const fam = rowsOverTime(
    days,
    (d) => d.families,
    (r) => r.family,
    (r) => r.downloads30d,
  );
  const famSvg = lineChartSvg({
    id: 'fam',
    title: 'Model families by 30-day downloads',
    desc: `Lines for the ${fam.length} leading families; on ${last.date}: ${last.families
      .slice(0, 3)
      .map((f) => `${f.family} ${fmtCompact(f.downloads30d)}`)
      .join(', ')}.`,
    dates,
    series: fam,
    format: fmtCompact,
  });
  const famTable = table(
    `Families on ${last.date}`,
    [
      { head: 'Family' },
      { head: '30-day downloads', num: true },
      { head: 'Models', num: true },
      { head: 'Derivatives', num: true },
      { head: 'New derivatives', num: true },
    ],
    last.families
      .slice(0, 12)
      .map((f) => [
        text(f.family),
        fmtInt(f.downloads30d),
        fmtInt(f.models),
        fmtInt(f.derivatives),
        fmtInt(f.newDerivatives),
      ]),
  );
  const orgRows = (d: Day) => d.orgs[view];
  const org = rowsOverTime(
    days,
    orgRows,
    (r) => r.org,
    (r) => r.downloads30d,
  );
  const orgSvg = lineChartSvg({
    id: 'org',
    title: `Organisations by 30-day downloads (${view} view)`,
    desc: `Lines for the ${org.length} leading organisations.`,
    dates,
    series: org,
    format: fmtCompact,
  });
  const orgTable = table(
    `Organisations on ${last.date} (${view} view)`,
    [
      { head: 'Organisation' },
      { head: 'Country' },
      { head: 'Kind' },
      { head: '30-day downloads', num: true },
      { head: 'Models', num: true },
      { head: 'New releases', num: true },
    ],
    last.orgs[view]
      .slice(0, 15)
      .map((o) => [
        link(links.org(o.org), text(o.org)),
        own(countryName(o.country)),
        own(kindLabel(o.kind)),
        fmtInt(o.downloads30d),
        fmtInt(o.models),
        fmtInt(o.newReleases),
      ]),
  );
  const kinds = sharesOver(
    days,
    (d) => d.kinds[view],
    (r) => r.kind,
    (r) => r.downloads30d,
    kindLabel,
  );
  const kindSvg = stackedAreaSvg({
    id: 'kind',
    title: `Share of 30-day downloads by kind of organisation (${view} view)`,
    desc: `Stacked areas: ${last.kinds[view].map((k) => `${kindLabel(k.kind)} ${fmtPct(k.share)}`).join(', ')} on ${last.date}.`,
    dates,
    series: kinds,
  });
  const kindTable = table(
    `Kinds on ${last.date}`,
    [
      { head: 'Kind' },
      { head: 'Share', num: true },
      { head: '30-day downloads', num: true },
      { head: 'Models', num: true },
    ],
    last.kinds[view].map((k) => [own(kindLabel(k.kind)), fmtPct(k.share), fmtInt(k.downloads30d), fmtInt(k.models)]),
  );
  const lic = sharesOver(
    days,
    (d) => d.licenseClasses,
    (r) => r.key,
    (r) => r.downloads30d,
    (k) => k,
  );
  const licSvg = stackedAreaSvg({
    id: 'lic',
    title: 'Share of 30-day downloads by licence class',
    desc: `Stacked areas per licence class; on ${last.date}: ${last.licenseClasses
      .slice(0, 3)
      .map((l) => l.key)
      .join(', ')} lead.`,
    dates,
    series: lic,
  });
  const licTotal = last.licenseClasses.reduce((s, l) => s + l.downloads30d, 0);
  const licTable = table(
    `Licence classes on ${last.date}`,
    [
      { head: 'Class' },
      { head: 'Share', num: true },
      { head: '30-day downloads', num: true },
      { head: 'Models', num: true },
      { head: 'New releases', num: true },
    ],
    last.licenseClasses.map((l) => [
      own(l.key),
      licTotal ? fmtPct(l.downloads30d / licTotal) : '–',
      fmtInt(l.downloads30d),
      fmtInt(l.models),
      fmtInt(l.newReleases),
    ]),
  );
  const views = optionGroup(
    'r-view',
    'View',
    (['origin', 'publisher'] as const).map((v) => ({
      label: VIEW_LABELS[v],
      href: links.racesState({ ...s, view: v }),
      current: v === view,
    })),
  );
  return `<h1>Races: families, organisations, licences and kinds (${own(view)} view)</h1>
<p class="lede">Who gains on whom, day by day, all platforms combined. Lines are labelled at their right end and drawn with distinct dash patterns.</p>
<nav class="controls" aria-label="Chart options">${views}</nav>
${figure('families', 'Model families', famSvg, famTable, `Families: the lineage root's family (Qwen, Llama, …), whichever view. Window: 30-day downloads, all platforms with the figure. ${cov}`)}
${figure('orgs', 'Organisations', orgSvg, orgTable, `The ${TOP} organisations leading on the last day; a gap means the organisation was outside the snapshot's top 50 that day. ${cov}`)}
${figure('kinds', 'Big tech, AI start-ups, academia', kindSvg, kindTable, `Kinds from the organisation registry; uploaders it does not know are individuals. ${cov}`)}
${figure('licences', 'Licence classes', licSvg, licTable, `Licence class of each model's licence (SPDX id or LicenseRef), all models, all countries. ${cov}`)}
${licencesByCountry(days, s, links, cov)}`;
}
